package chainkm.device.agent;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.identity.DeviceName;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A device's provisioning bundle (version 2), written by {@code bin/chainkm provision} and read
 * at first boot: the device's name, the one-time enrollment key its name was enrolled with on
 * the ledger, and the consortium's gateways with their trust anchors (each gateway's Ed25519 key,
 * which is also its DTLS raw public key, and the pin of its MQTT broker's TLS key). A Java
 * properties file (no parser needed on the device), mode 0600 while it holds the enrollment key:
 * <pre>
 * bundle.version=2
 * device.name=dev-7
 * enrollment.key=&lt;base64, 32-byte Ed25519 private key (seed)&gt;
 * gateways=1,2,3,4
 * gateway.1.coap=127.0.0.1:5684
 * gateway.1.mqtt=ssl://127.0.0.1:8883
 * gateway.1.mqtt_tls_sha256=&lt;hex SHA-256 of its MQTT broker's SubjectPublicKeyInfo&gt;
 * gateway.1.signing_key=&lt;base64 Ed25519 public key&gt;
 * </pre>
 * At first boot the device makes its own identity key and activates it with the enrollment key
 * ({@link Activation}); after that the enrollment key opens nothing, and {@link #withoutEnrollmentKey()}
 * is what the device keeps. A version 1 bundle (a bootstrap PSK that every gateway could
 * compute) is refused.
 */
public final class Provisioning {
    public static final int VERSION = 2;
    static final String V1_REFUSED = "bundle version 1 (bootstrap PSK) is no longer accepted: provision the device "
            + "again with bin/chainkm provision";

    /** A gateway of the consortium as the bundle describes it. {@code signingKey} is its raw 32-byte Ed25519 key. */
    public record Gateway(int id, InetSocketAddress coap, String mqttUrl, TlsPin mqttTlsPin, byte[] signingKey) {
        public Gateway {
            signingKey = signingKey.clone();
            if (signingKey.length != Ed25519.PUBLIC_KEY_SIZE) {
                throw new IllegalArgumentException("gateway " + id + ": signing_key is not a 32-byte Ed25519 key");
            }
        }

        @Override
        public byte[] signingKey() {
            return signingKey.clone();
        }
    }

    private final String deviceName;
    private final byte[] enrollmentSeed; // null once the device has activated its own identity
    private final List<Gateway> gateways;

    /**
     * @param enrollmentSeed the 32-byte enrollment private key, or null for a bundle whose
     *        device has already activated its identity; copied
     */
    public Provisioning(String deviceName, byte[] enrollmentSeed, List<Gateway> gateways) {
        this.deviceName = DeviceName.check(deviceName);
        if (enrollmentSeed != null && enrollmentSeed.length != Ed25519.PRIVATE_KEY_SIZE) {
            throw new IllegalArgumentException("enrollment.key is not a 32-byte Ed25519 private key");
        }
        this.enrollmentSeed = enrollmentSeed == null ? null : enrollmentSeed.clone();
        this.gateways = List.copyOf(gateways);
        if (this.gateways.isEmpty()) {
            throw new IllegalArgumentException("a provisioning bundle lists at least one gateway");
        }
    }

    public String deviceName() {
        return deviceName;
    }

    /** The enrollment key pair, empty once the bundle no longer holds it. */
    public Optional<Ed25519.KeyPair> enrollmentKey() {
        return enrollmentSeed == null ? Optional.empty() : Optional.of(Ed25519.KeyPair.fromPrivateKey(enrollmentSeed));
    }

    /** The same bundle without its enrollment key: what the device keeps after activation. */
    public Provisioning withoutEnrollmentKey() {
        return new Provisioning(deviceName, null, gateways);
    }

    public List<Gateway> gateways() {
        return gateways;
    }

    public Gateway gateway(int id) {
        return gateways.stream().filter(g -> g.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("gateway " + id + " is not in the provisioning bundle"));
    }

    /** Never shows the enrollment key. */
    @Override
    public String toString() {
        return "Provisioning[" + deviceName + ", " + gateways.size() + " gateways"
                + (enrollmentSeed == null ? "" : ", with enrollment key") + "]";
    }

    public static Provisioning load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IllegalArgumentException e) {
            // Properties refuses a malformed unicode escape so; its message quotes nothing of the file
            throw new IOException(file + " is not a valid provisioning bundle: " + e.getMessage());
        }
        String version = p.getProperty("bundle.version");
        if (version == null && (p.containsKey("bootstrap.psk") || p.containsKey("bootstrap.identity"))) {
            throw new IOException(file + ": " + V1_REFUSED);
        }
        if (version == null || !version.trim().equals(Integer.toString(VERSION))) {
            throw new IOException(file + " is not a valid provisioning bundle: bundle.version is "
                    + (version == null ? "missing" : "'" + version.trim() + "'") + ", expected " + VERSION);
        }
        try {
            List<Gateway> gws = new ArrayList<>();
            for (String id : required(p, "gateways").split(",")) {
                String k = "gateway." + id.trim() + ".";
                String coap = required(p, k + "coap");
                int colon = coap.lastIndexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException(k + "coap is not HOST:PORT");
                }
                gws.add(new Gateway(Integer.parseInt(id.trim()),
                        new InetSocketAddress(coap.substring(0, colon), Integer.parseInt(coap.substring(colon + 1))),
                        required(p, k + "mqtt"), TlsPin.fromHex(required(p, k + "mqtt_tls_sha256")),
                        Base64.getDecoder().decode(required(p, k + "signing_key"))));
            }
            String enrollment = p.getProperty("enrollment.key");
            byte[] seed = enrollment == null || enrollment.isBlank() ? null : Base64.getDecoder().decode(enrollment.trim());
            try {
                return new Provisioning(required(p, "device.name"), seed, gws);
            } finally {
                if (seed != null) {
                    Arrays.fill(seed, (byte) 0);
                }
            }
        } catch (IllegalArgumentException e) {
            // messages name the field, never its value
            throw new IOException(file + " is not a valid provisioning bundle: " + e.getMessage());
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v.trim();
    }

    /** Writes the bundle atomically (temp file, fsync, rename), mode 0600. */
    public void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("bundle.version", Integer.toString(VERSION));
        p.setProperty("device.name", deviceName);
        if (enrollmentSeed != null) {
            p.setProperty("enrollment.key", Base64.getEncoder().encodeToString(enrollmentSeed));
        }
        List<String> ids = new ArrayList<>();
        for (Gateway g : gateways) {
            ids.add(Integer.toString(g.id()));
            String k = "gateway." + g.id() + ".";
            p.setProperty(k + "coap", g.coap().getHostString() + ":" + g.coap().getPort());
            p.setProperty(k + "mqtt", g.mqttUrl());
            p.setProperty(k + "mqtt_tls_sha256", g.mqttTlsPin().hex());
            p.setProperty(k + "signing_key", Base64.getEncoder().encodeToString(g.signingKey()));
        }
        p.setProperty("gateways", String.join(",", ids));
        StringWriter text = new StringWriter();
        p.store(text, "chainkm device provisioning bundle v2: keep it secret (mode 0600) until the device has activated");
        SecretFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
