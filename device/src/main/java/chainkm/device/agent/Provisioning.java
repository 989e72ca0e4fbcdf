package chainkm.device.agent;

import chainkm.protocol.crypto.TlsPin;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

/**
 * A device's provisioning bundle, written by {@code bin/chainkm provision} and read at first
 * boot: its bootstrap credential and the consortium's gateways with their trust anchors
 * (Ed25519 public keys, and the pin of each gateway's MQTT broker key). The device has no
 * MQTT password in its bundle: it fetches its own from its gateway ({@code GET /mqtt}). A Java
 * properties file (no parser needed on the device), mode 0600 since it holds the bootstrap secret:
 * <pre>
 * device.name=dev-7
 * bootstrap.identity=boot-dev-7
 * bootstrap.psk=&lt;base64, 16 bytes&gt;
 * gateways=1,2,3,4
 * gateway.1.coap=127.0.0.1:5684
 * gateway.1.mqtt=ssl://127.0.0.1:8883
 * gateway.1.mqtt_tls_sha256=&lt;hex SHA-256 of its MQTT broker's SubjectPublicKeyInfo&gt;
 * gateway.1.signing_key=&lt;base64 Ed25519 public key&gt;
 * </pre>
 */
public record Provisioning(String deviceName, String bootstrapIdentity, byte[] bootstrapPsk, List<Gateway> gateways) {

    public record Gateway(int id, InetSocketAddress coap, String mqttUrl, TlsPin mqttTlsPin, byte[] signingKey) {}

    public Provisioning {
        bootstrapPsk = bootstrapPsk.clone();
        gateways = List.copyOf(gateways);
        if (gateways.isEmpty()) {
            throw new IllegalArgumentException("a provisioning bundle lists at least one gateway");
        }
    }

    @Override
    public byte[] bootstrapPsk() {
        return bootstrapPsk.clone();
    }

    /** Never shows the bootstrap key. */
    @Override
    public String toString() {
        return "Provisioning[" + deviceName + ", " + gateways.size() + " gateways]";
    }

    public Gateway gateway(int id) {
        return gateways.stream().filter(g -> g.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("gateway " + id + " is not in the provisioning bundle"));
    }

    public static Provisioning load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            List<Gateway> gws = new ArrayList<>();
            for (String id : required(p, "gateways").split(",")) {
                String k = "gateway." + id.trim() + ".";
                String[] coap = required(p, k + "coap").split(":");
                gws.add(new Gateway(Integer.parseInt(id.trim()), new InetSocketAddress(coap[0], Integer.parseInt(coap[1])),
                        required(p, k + "mqtt"), TlsPin.fromHex(required(p, k + "mqtt_tls_sha256")),
                        Base64.getDecoder().decode(required(p, k + "signing_key"))));
            }
            return new Provisioning(required(p, "device.name"), required(p, "bootstrap.identity"),
                    Base64.getDecoder().decode(required(p, "bootstrap.psk")), gws);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
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

    public void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("device.name", deviceName);
        p.setProperty("bootstrap.identity", bootstrapIdentity);
        p.setProperty("bootstrap.psk", Base64.getEncoder().encodeToString(bootstrapPsk));
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
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "chainkm device provisioning bundle: keep it secret (mode 0600)");
        }
    }
}
