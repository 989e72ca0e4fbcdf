package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.TlsPin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvisioningTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private final Ed25519.KeyPair enrollment = Ed25519.KeyPair.generate(RANDOM);
    private final byte[] gw1 = Ed25519.KeyPair.generate(RANDOM).publicKey();
    private final byte[] gw2 = Ed25519.KeyPair.generate(RANDOM).publicKey();

    private Provisioning bundle() {
        return new Provisioning("dev-7", enrollment.privateKeyBytes(), List.of(
                new Provisioning.Gateway(2, new InetSocketAddress("127.0.0.1", 5685), "ssl://127.0.0.1:8884",
                        TlsPin.of(new byte[32]), gw2),
                new Provisioning.Gateway(1, new InetSocketAddress("127.0.0.1", 5684), "ssl://127.0.0.1:8883",
                        TlsPin.of(new byte[32]), gw1)));
    }

    @Test
    void aV2BundleRoundTripsInOrderWithMode0600() throws IOException {
        Path file = dir.resolve("provisioning.properties");
        bundle().save(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String text = Files.readString(file);
        assertTrue(text.contains("bundle.version=2"), text);
        assertFalse(text.contains("bootstrap"), text);
        Provisioning back = Provisioning.load(file);
        assertEquals("dev-7", back.deviceName());
        assertArrayEquals(enrollment.publicKey(), back.enrollmentKey().orElseThrow().publicKey());
        assertEquals(List.of(2, 1), back.gateways().stream().map(Provisioning.Gateway::id).toList());
        assertArrayEquals(gw1, back.gateway(1).signingKey());
        assertEquals(5685, back.gateway(2).coap().getPort());
    }

    @Test
    void aVersion1BundleIsRefusedWithTheWayOut() throws IOException {
        Path file = dir.resolve("old.properties");
        Files.writeString(file, "device.name=dev-7\nbootstrap.identity=boot-dev-7\nbootstrap.psk=AAAAAAAAAAAAAAAAAAAAAA==\n"
                + "gateways=1\ngateway.1.coap=127.0.0.1:5684\ngateway.1.mqtt=ssl://127.0.0.1:8883\n"
                + "gateway.1.mqtt_tls_sha256=" + "00".repeat(32) + "\ngateway.1.signing_key="
                + Base64.getEncoder().encodeToString(gw1) + "\n");
        IOException e = assertThrows(IOException.class, () -> Provisioning.load(file));
        assertTrue(e.getMessage().contains("bundle version 1 (bootstrap PSK) is no longer accepted: provision the device "
                + "again with bin/chainkm provision"), e.getMessage());
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        Path file = dir.resolve("b.properties");
        bundle().save(file);
        Files.writeString(file, Files.readString(file).replace("bundle.version=2", "bundle.version=3"));
        IOException e = assertThrows(IOException.class, () -> Provisioning.load(file));
        assertTrue(e.getMessage().contains("bundle.version is '3', expected 2"), e.getMessage());
    }

    /** Found by ProvisioningFuzzTest: Properties' IllegalArgumentException escaped load(), which promises an IOException. */
    @Test
    void aMalformedEscapeIsRefusedWithTheFileNamed() throws IOException {
        Path file = dir.resolve("b.properties");
        Files.writeString(file, "bundle.version=2\ndevice.name=dev-\\u12\n");
        IOException e = assertThrows(IOException.class, () -> Provisioning.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a valid provisioning bundle"),
                e.getMessage());
    }

    @Test
    void afterActivationTheBundleKeepsEverythingButTheEnrollmentKey() throws IOException {
        Path file = dir.resolve("b.properties");
        bundle().withoutEnrollmentKey().save(file);
        assertFalse(Files.readString(file).contains("enrollment.key"));
        Provisioning back = Provisioning.load(file);
        assertTrue(back.enrollmentKey().isEmpty());
        assertEquals(2, back.gateways().size());
    }

    @Test
    void neitherToStringNorErrorsShowTheEnrollmentKey() throws IOException {
        String seed64 = Base64.getEncoder().encodeToString(enrollment.privateKeyBytes());
        assertFalse(bundle().toString().contains(seed64), bundle().toString());
        Path file = dir.resolve("b.properties");
        bundle().save(file);
        String shortKey = seed64.substring(0, 40);
        Files.writeString(file, Files.readString(file).replace(seed64.replace("=", "\\="), shortKey)
                .replace(seed64, shortKey));
        IOException e = assertThrows(IOException.class, () -> Provisioning.load(file));
        assertTrue(e.getMessage().contains("enrollment.key is not a 32-byte Ed25519 private key"), e.getMessage());
        assertFalse(e.getMessage().contains(shortKey), e.getMessage());
    }

    @Test
    void aGatewayKeyThatIsNotAnEd25519KeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Provisioning.Gateway(1,
                new InetSocketAddress("127.0.0.1", 1), "ssl://x:1", TlsPin.of(new byte[32]), new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> new Provisioning("bad name!", null, bundle().gateways()));
    }
}
