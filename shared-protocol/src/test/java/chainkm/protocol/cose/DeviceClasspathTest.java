package chainkm.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chainkm.protocol.crypto.Ed25519;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * A device has neither the CBOR library nor Bouncy Castle: the whole life of an object (seal,
 * sign, encode, decode, verify, open) runs in a class loader that sees only this module's
 * classes and the JDK.
 */
class DeviceClasspathTest {

    /** Runs inside the isolated class loader. */
    public static final class Probe implements Callable<String> {
        @Override
        public String call() throws Exception {
            ProtectedResource r = new ProtectedResource("kitchen-1", "/sensors/temperature");
            byte[] k = new byte[16];
            new SecureRandom().nextBytes(k);
            Ed25519.KeyPair device = Ed25519.KeyPair.generate(new SecureRandom());
            NonceSource nonces = new BlockNonceSource(new BlockNonceSource.Reservation() {
                private long mark;

                @Override
                public long reserve(int count) {
                    long first = mark;
                    mark += count;
                    return first;
                }
            }, 16);
            byte[] reading = "21.5".getBytes(StandardCharsets.US_ASCII);
            byte[] wire = SignedObject.sign(ProtectedObject.seal(r, 3, k, nonces, reading), r, device).encode();
            byte[] opened = SignedObject.decode(wire).verify(r, device.publicKey()).open(r, k);
            if (!Arrays.equals(reading, opened)) {
                throw new AssertionError("the reading did not survive");
            }
            return Ed25519.verifier();
        }
    }

    @Test
    void sealsSignsAndOpensWithTheJdkAlone() throws Exception {
        URL main = ProtectedObject.class.getProtectionDomain().getCodeSource().getLocation();
        URL test = Probe.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader device = new URLClassLoader(new URL[] {main, test}, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> device.loadClass("com.upokecenter.cbor.CBORObject"));
            assertThrows(ClassNotFoundException.class,
                    () -> device.loadClass("org.bouncycastle.jce.provider.BouncyCastleProvider"));
            @SuppressWarnings("unchecked")
            Callable<String> probe = (Callable<String>) device.loadClass(Probe.class.getName())
                    .getDeclaredConstructor().newInstance();
            assertEquals("JDK", probe.call(), "Ed25519 from the JDK, as on a device");
        }
    }
}
