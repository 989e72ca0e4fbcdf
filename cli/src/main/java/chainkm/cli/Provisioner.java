package chainkm.cli;

import chainkm.device.agent.Provisioning;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.control.ControlClient;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.identity.DeviceName;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Makes a device's provisioning bundle (version 2) from a testnet (or consortium) directory:
 * draws a one-time enrollment key pair, has a running gateway ENROLL the device's name with the
 * public half (through its control API, commit mode), and puts the private half in the bundle.
 * Nothing in the bundle is derived from any consortium secret: no gateway can compute it.
 */
public final class Provisioner {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration ENROLL_TIMEOUT = Duration.ofSeconds(150);

    private Provisioner() {}

    /** Enrolls a name on the ledger; the seam between making a bundle and a running gateway. */
    public interface Enroller {
        /** Returns once the enrollment is committed; fails with the ledger's reason otherwise. */
        void enroll(String name, byte[] enrollmentPublicKey) throws IOException;
    }

    /**
     * Enrolls {@code deviceName} through gateway {@code firstGateway} and returns its bundle (not
     * written anywhere: whoever holds it can activate the device's identity, keep it secret).
     * @param firstGateway the gateway the device activates and joins through first (the others follow, in order)
     */
    public static Provisioning provision(Path dir, String deviceName, int firstGateway) throws IOException {
        return enrolled(gateways(dir, firstGateway), deviceName, controlApiEnroller(dir, firstGateway));
    }

    /**
     * As {@link #provision}, but writes the bundle (mode 0600) to {@code bundleFile} BEFORE the
     * enrollment is submitted, so that a committed enrollment always has its key on disk; if the
     * enrollment fails, the file is deleted.
     */
    public static Provisioning provisionTo(Path dir, String deviceName, int firstGateway, Path bundleFile)
            throws IOException {
        return writeThenEnroll(gateways(dir, firstGateway), deviceName, bundleFile, controlApiEnroller(dir, firstGateway));
    }

    static Provisioning writeThenEnroll(List<Provisioning.Gateway> gateways, String deviceName, Path bundleFile,
                                        Enroller enroller) throws IOException {
        DeviceName.check(deviceName);
        Ed25519.KeyPair enrollment = Ed25519.KeyPair.generate(new SecureRandom());
        Provisioning bundle = bundle(deviceName, enrollment, gateways);
        bundle.save(bundleFile);
        try {
            enroller.enroll(deviceName, enrollment.publicKey());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(bundleFile); // its key was never enrolled: of no use
            throw e;
        }
        return bundle;
    }

    static Provisioning enrolled(List<Provisioning.Gateway> gateways, String deviceName, Enroller enroller)
            throws IOException {
        DeviceName.check(deviceName);
        Ed25519.KeyPair enrollment = Ed25519.KeyPair.generate(new SecureRandom());
        enroller.enroll(deviceName, enrollment.publicKey());
        return bundle(deviceName, enrollment, gateways);
    }

    private static Provisioning bundle(String name, Ed25519.KeyPair enrollment, List<Provisioning.Gateway> gateways) {
        byte[] seed = enrollment.privateKeyBytes();
        try {
            return new Provisioning(name, seed, gateways);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /**
     * Every gateway of the directory with its CoAP address, MQTT URL and pin, and its Ed25519 key
     * (its DTLS raw public key and the signer of its rekey messages), {@code firstGateway} first.
     * Public data only: no enrollment.
     */
    public static List<Provisioning.Gateway> gateways(Path dir, int firstGateway) throws IOException {
        TestnetLayout layout = TestnetLayout.load(dir);
        GatewayHome anyHome = GatewayHome.at(dir.resolve(layout.gateways().get(0).home()));
        Map<Integer, TlsPin> pins = Genesis.load(anyHome.genesis()).mqttTlsPins();
        List<Provisioning.Gateway> gateways = new ArrayList<>();
        List<TestnetLayout.Gateway> ordered = new ArrayList<>(layout.gateways());
        int start = ordered.indexOf(layout.gateway(firstGateway));
        for (int i = 0; i < ordered.size(); i++) {
            TestnetLayout.Gateway g = ordered.get((start + i) % ordered.size());
            Path home = dir.resolve(g.home());
            GatewayConfig config = GatewayConfig.load(home);
            TlsPin pin = pins.get(g.id());
            if (pin == null) {
                throw new IOException("genesis has no mqtt_tls_sha256 for gateway " + g.id()
                        + ": a testnet made before MQTT ran over TLS; make it again with bin/chainkm testnet");
            }
            gateways.add(new Provisioning.Gateway(g.id(), new InetSocketAddress(config.coapHost(), config.coapPort()),
                    config.brokerUrl(), pin, GatewayKey.load(config.homeAt(home).gatewayKey()).publicKey()));
        }
        return gateways;
    }

    /** ENROLL through gateway {@code gatewayId}'s control API (commit mode), as {@code submit} does. */
    static Enroller controlApiEnroller(Path dir, int gatewayId) throws IOException {
        TestnetLayout.Gateway g = TestnetLayout.load(dir).gateway(gatewayId);
        ControlClient client = ControlClient.forHome(dir.resolve(g.home()), g.controlPort());
        return (name, key) -> {
            ObjectNode request = JSON.createObjectNode().put("op", "enroll").put("mode", "commit")
                    .put("name", name).put("enrollment_key", Hex.encode(key));
            JsonNode answer;
            try {
                answer = client.submit(request, ENROLL_TIMEOUT);
            } catch (ConnectException e) {
                throw new IOException("cannot enroll " + name + ": gateway " + gatewayId + "'s control API (127.0.0.1:"
                        + g.controlPort() + ") does not answer: is the gateway running?", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("enrollment of " + name + " interrupted");
            }
            checkCommitted(name, gatewayId, answer);
        };
    }

    /** The control API's answer to an enroll: committed, or an IOException with the ledger's reason. */
    static void checkCommitted(String name, int gatewayId, JsonNode answer) throws IOException {
        String status = answer.path("status").asText("");
        if (!"committed".equals(status)) {
            throw new IOException("the ledger did not enroll " + name + " (through gateway " + gatewayId + "): "
                    + (status.isEmpty() ? "no status" : status) + ", code " + answer.path("code").asInt()
                    + (answer.hasNonNull("log") ? ": " + answer.get("log").asText() : ""));
        }
    }
}
