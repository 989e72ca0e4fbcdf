package chainkm.device.agent;

import static chainkm.device.fuzz.DecoderContract.decode;

import chainkm.device.fuzz.Scratch;
import chainkm.device.fuzz.Seed;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.TlsPin;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;

/**
 * The provisioning bundle as a device reads it at first boot (a file a field engineer copies to
 * the boot partition). Provisioning.load returns a bundle or throws an IOException naming the
 * problem; a bundle it accepts saves and loads back to the same bundle.
 */
public class ProvisioningFuzzTest {
    private static final Path DIR = Scratch.directory("bundle");
    private static final Path FILE = DIR.resolve("provisioning.properties");
    private static final Path AGAIN = DIR.resolve("again.properties");

    static {
        // Host names in fuzzed bundles are resolved: while fuzzing, from a hosts file of the target's, not
        // by the network's DNS (the JDK reads this property when it first resolves a name). Regression
        // runs leave the JVM's resolver alone: the seeds hold addresses, not names.
        if (Scratch.fuzzing()) {
            hostsFile();
            if (!offline()) {
                throw new IllegalStateException("host names would be resolved by DNS: run this target alone (make fuzz)");
            }
        }
    }

    private static void hostsFile() {
        try {
            Path hosts = DIR.resolve("hosts");
            Files.writeString(hosts, "127.0.0.1 localhost gw1.example\n::1 localhost\n");
            System.setProperty("jdk.net.hosts.file", hosts.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Timeout(10)
    @FuzzTest
    void bundle(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        decode(IOException.class, () -> Provisioning.load(FILE)).ifPresent(p -> {
            Provisioning back;
            try {
                p.save(AGAIN);
                back = Provisioning.load(AGAIN);
            } catch (IOException e) {
                throw new AssertionError("an accepted bundle does not save and load back", e);
            }
            if (!sameBundle(p, back)) {
                throw new AssertionError("the bundle changed when saved and loaded back: " + p + " became " + back);
            }
        });
    }

    /** True when names resolve from the hosts file above (a name only it knows resolves, and nothing else does). */
    private static boolean offline() {
        try {
            InetAddress.getByName("gw1.example");
        } catch (UnknownHostException e) {
            return false;
        }
        return new InetSocketAddress("example.com", 1).isUnresolved();
    }

    private static boolean sameBundle(Provisioning a, Provisioning b) {
        if (!a.deviceName().equals(b.deviceName()) || a.gateways().size() != b.gateways().size()) {
            return false;
        }
        Optional<byte[]> ka = a.enrollmentKey().map(Ed25519.KeyPair::privateKeyBytes);
        Optional<byte[]> kb = b.enrollmentKey().map(Ed25519.KeyPair::privateKeyBytes);
        if (ka.isPresent() != kb.isPresent() || (ka.isPresent() && !Arrays.equals(ka.get(), kb.get()))) {
            return false;
        }
        for (int i = 0; i < a.gateways().size(); i++) {
            Provisioning.Gateway x = a.gateways().get(i);
            Provisioning.Gateway y = b.gateways().get(i);
            if (x.id() != y.id() || !x.coap().equals(y.coap()) || !x.mqttUrl().equals(y.mqttUrl())
                    || !x.mqttTlsPin().equals(y.mqttTlsPin()) || !Arrays.equals(x.signingKey(), y.signingKey())) {
                return false;
            }
        }
        return true;
    }

    /** A bundle as {@code bin/chainkm provision} writes it (through {@link Provisioning#save}). */
    public static List<Seed> seeds() throws IOException {
        byte[] enrollment = new byte[32];
        Arrays.fill(enrollment, (byte) 0x45);
        byte[] pin = new byte[32];
        Arrays.fill(pin, (byte) 0x50);
        Provisioning p = new Provisioning("kitchen-1", enrollment, List.of(
                new Provisioning.Gateway(1, new InetSocketAddress("127.0.0.1", 5684), "ssl://127.0.0.1:8883",
                        TlsPin.of(pin), Ed25519.KeyPair.fromPrivateKey(filled(0x01)).publicKey()),
                new Provisioning.Gateway(2, new InetSocketAddress("127.0.0.1", 5694), "ssl://127.0.0.1:8893",
                        TlsPin.of(pin), Ed25519.KeyPair.fromPrivateKey(filled(0x02)).publicKey())));
        Path file = Scratch.directory("bundle-seed").resolve("bundle");
        p.save(file);
        // Properties.store writes the date in a comment: the seed drops comments to stay the same every day
        String text = Files.readString(file, StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#"))
                .sorted().reduce("", (x, y) -> x + y + "\n");
        return List.of(new Seed(ProvisioningFuzzTest.class, "bundle", "two-gateways", text.getBytes(StandardCharsets.UTF_8)),
                new Seed(ProvisioningFuzzTest.class, "bundle", "activated",
                        text.replaceAll("(?m)^enrollment\\.key=.*\n", "").getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
