package chainkm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.agent.Provisioning;
import chainkm.gateway.control.ControlServer;
import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.TlsPin;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvisionerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<Provisioning.Gateway> gateways() {
        return List.of(new Provisioning.Gateway(1, new InetSocketAddress("127.0.0.1", 5684), "ssl://127.0.0.1:8883",
                TlsPin.of(new byte[32]), Ed25519.KeyPair.generate(new SecureRandom()).publicKey()));
    }

    @Test
    void theBundleHoldsThePrivateHalfOfTheKeyWhosePublicHalfWasEnrolled() throws IOException {
        List<byte[]> enrolled = new ArrayList<>();
        Path file = dir.resolve("provisioning.properties");
        Provisioning p = Provisioner.writeThenEnroll(gateways(), "kitchen-1", file, (name, key) -> {
            assertTrue(Files.exists(file), "the bundle is on disk before the enrollment is submitted");
            enrolled.add(key);
        });
        assertEquals(1, enrolled.size());
        Provisioning saved = Provisioning.load(file);
        assertArrayEquals(enrolled.get(0), saved.enrollmentKey().orElseThrow().publicKey());
        assertArrayEquals(enrolled.get(0), p.enrollmentKey().orElseThrow().publicKey());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        // two devices never share an enrollment key
        Provisioning other = Provisioner.enrolled(gateways(), "kitchen-2", (name, key) -> { });
        assertFalse(java.util.Arrays.equals(enrolled.get(0), other.enrollmentKey().orElseThrow().publicKey()));
    }

    @Test
    void aRefusedEnrollmentLeavesNoBundleBehind() {
        Path file = dir.resolve("provisioning.properties");
        IOException e = assertThrows(IOException.class, () -> Provisioner.writeThenEnroll(gateways(), "kitchen-1", file,
                (name, key) -> {
                    throw new IOException("the ledger did not enroll kitchen-1: refused, code 40: name taken");
                }));
        assertTrue(e.getMessage().contains("name taken"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void aBadNameIsRefusedBeforeAnythingIsEnrolled() {
        List<String> calls = new ArrayList<>();
        assertThrows(IllegalArgumentException.class, () -> Provisioner.writeThenEnroll(gateways(), "no spaces",
                dir.resolve("b"), (name, key) -> calls.add(name)));
        assertEquals(List.of(), calls);
    }

    @Test
    void theControlApiIsAskedToEnrollInCommitModeWithThePublicKeyOnly() throws Exception {
        List<JsonNode> requests = new CopyOnWriteArrayList<>();
        try (ControlServer server = controlServer(request -> {
            requests.add(request);
            return JSON.createObjectNode().put("status", "committed").put("op", "enroll").put("code", 0);
        })) {
            writeLayout(server.port());
            Provisioner.controlApiEnroller(dir, 1).enroll("kitchen-1", new byte[32]);
        }
        assertEquals(1, requests.size());
        JsonNode r = requests.get(0);
        assertEquals("enroll", r.path("op").asText());
        assertEquals("commit", r.path("mode").asText());
        assertEquals("kitchen-1", r.path("name").asText());
        assertEquals(Hex.encode(new byte[32]), r.path("enrollment_key").asText());
    }

    @Test
    void aLedgerRefusalIsReportedWithItsCodeAndReason() throws Exception {
        try (ControlServer server = controlServer(request -> JSON.createObjectNode().put("status", "refused")
                .put("code", 41).put("log", "device name kitchen-1 is already enrolled"))) {
            writeLayout(server.port());
            Provisioner.Enroller enroller = Provisioner.controlApiEnroller(dir, 1);
            IOException e = assertThrows(IOException.class, () -> enroller.enroll("kitchen-1", new byte[32]));
            assertTrue(e.getMessage().contains("refused, code 41: device name kitchen-1 is already enrolled"),
                    e.getMessage());
        }
    }

    @Test
    void aGatewayThatIsNotRunningIsNamed() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        writeLayout(port);
        IOException e = assertThrows(IOException.class,
                () -> Provisioner.controlApiEnroller(dir, 1).enroll("kitchen-1", new byte[32]));
        assertTrue(e.getMessage().contains("is the gateway running?"), e.getMessage());
    }

    private ControlServer controlServer(Function<JsonNode, ObjectNode> onSubmit) throws IOException {
        return ControlServer.start(0, "token-1", new ControlServer.ControlHandler() {
            @Override
            public ObjectNode status() {
                return JSON.createObjectNode();
            }

            @Override
            public ObjectNode submit(JsonNode request) {
                return onSubmit.apply(request);
            }

            @Override
            public ObjectNode inventory() {
                return JSON.createObjectNode();
            }
        });
    }

    private void writeLayout(int controlPort) throws IOException {
        Path home = Files.createDirectories(dir.resolve("gateway-1"));
        Path token = GatewayHome.at(home).controlToken();
        Files.createDirectories(token.getParent());
        Files.writeString(token, "token-1\n");
        new TestnetLayout("chainkm-test", "fast", List.of(new TestnetLayout.Gateway(1, "gateway-1", "gateway-1",
                1, 2, controlPort, 3, 4))).save(dir);
    }
}
