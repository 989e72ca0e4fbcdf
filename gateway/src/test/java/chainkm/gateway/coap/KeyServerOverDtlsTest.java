package chainkm.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import chainkm.gateway.keyserver.DerivedMemberSecrets;
import chainkm.gateway.keyserver.FakeTokenLedger;
import chainkm.gateway.keyserver.GroupSecretStore;
import chainkm.gateway.keyserver.KeyServer;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.SubmitStatus;
import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.Operation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The key server over real DTLS between two gateways with stand-in ledgers: gateway 1 is the
 * device's home (its device endpoint serves {@code /relay/access} to gateway PSKs), gateway 3
 * only has a clients' endpoint and forwards to gateway 1 through {@link PeerGateways}. A client
 * proves its key in the handshake and gets the same grant from either; refusals are answered
 * with their code and reason and logged; a device session cannot use the gateways' resource; a
 * silent home gateway is 5.03 and does not hold up the statement resources.
 */
class KeyServerOverDtlsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] PSK_1_3 = new byte[16];

    @TempDir
    Path dir;

    private final Ed25519.KeyPair key1 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair key3 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair alice = Ed25519.KeyPair.generate(RANDOM);
    private final byte[] cti = new byte[16];
    private final FakeTokenLedger ledger1 = new FakeTokenLedger(120);
    private final FakeTokenLedger ledger3 = new FakeTokenLedger(120);
    private final FakeDeviceService devices1 = new FakeDeviceService();
    private final List<Operation> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();
    private CoapGatewayServer deviceEndpoint1;
    private ClientCoapServer clients1;
    private ClientCoapServer clients3;
    private PeerGateways peers3;

    @BeforeAll
    static void quietCalifornium() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.californium")).setLevel(Level.ERROR);
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private StatementRelay relay() {
        return (op, statement) -> {
            submitted.add(op);
            return new SubmitResult(op, 0, 0, SubmitStatus.COMMITTED, 0, "", 121, "AB", 1, 1.0, null);
        };
    }

    @BeforeEach
    void twoGateways() throws IOException {
        RANDOM.nextBytes(cti);
        RANDOM.nextBytes(PSK_1_3);
        AccessToken token = new AccessToken("lamp-1", Aif.of("/light", Aif.GET), 150, 100, cti, alice.publicKey());
        for (FakeTokenLedger l : List.of(ledger1, ledger3)) {
            l.grant(token);
            l.homes.put("lamp-1", 1);
        }
        devices1.gatewayPsks.put(3, PSK_1_3);
        KeyServer server1 = new KeyServer(1, ledger1, new DerivedMemberSecrets(new GroupSecretStore(dir.resolve("g1"))),
                (g, f) -> {
                    throw new IOException("gateway 1 is the home");
                });
        deviceEndpoint1 = CoapGatewayServer.start(devices1, loopback(), key1, node -> {
            throw new IOException("no MQTT here");
        }, server1);
        clients1 = ClientCoapServer.start(relay(), server1, loopback(), key1);
        peers3 = new PeerGateways(3, Map.of(1, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                deviceEndpoint1.port())), id -> PSK_1_3.clone());
        KeyServer server3 = new KeyServer(3, ledger3, new DerivedMemberSecrets(new GroupSecretStore(dir.resolve("g3"))),
                peers3);
        clients3 = ClientCoapServer.start(relay(), server3, loopback(), key3);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {clients3, peers3, clients1, deviceEndpoint1}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the others still close
            }
        }
    }

    private DtlsTestClient client(ClientCoapServer server, Ed25519.KeyPair key, Ed25519.KeyPair gatewayKey)
            throws IOException {
        return DtlsTestClient.device(server.port(), key, gatewayKey.publicKey());
    }

    private byte[] request() {
        return new AccessRequest(cti, "lamp-1", "/light", Aif.GET).encode();
    }

    @Test
    void theTokensKeyGetsTheSameGrantFromTheHomeAndThroughAnotherGateway() throws Exception {
        AccessGrant viaOther;
        try (DtlsTestClient c = client(clients3, alice, key3)) {
            Response r = c.post("authz/access", request());
            assertEquals(ResponseCode.CONTENT, r.getCode(), r.getPayloadString());
            assertEquals(AccessGrant.CONTENT_FORMAT, r.getOptions().getContentFormat());
            viaOther = AccessGrant.decode(r.getPayload());
        }
        AccessGrant direct;
        try (DtlsTestClient c = client(clients1, alice, key1)) {
            Response r = c.post("authz/access", request());
            assertEquals(ResponseCode.CONTENT, r.getCode(), r.getPayloadString());
            direct = AccessGrant.decode(r.getPayload());
        }
        assertEquals(direct, viaOther);
        assertEquals("lamp-1/light", direct.group());
        assertEquals(150, direct.exp());
        assertEquals(29, direct.exi());
        assertArrayEquals(direct.key(), viaOther.key());
    }

    @Test
    void aKeyThatHoldsNoTokenPassesTheHandshakeAndGetsNothing() throws Exception {
        Ed25519.KeyPair mallory = Ed25519.KeyPair.generate(RANDOM);
        try (DtlsTestClient c = client(clients3, mallory, key3); LogLines logs = new LogLines()) {
            Response r = c.post("authz/access", request());
            assertEquals(ResponseCode.UNAUTHORIZED, r.getCode());
            assertEquals("token bound to another key", r.getPayloadString());
            assertEquals(ResponseCode.UNAUTHORIZED.value, r.getCode().value);
            byte[] unknown = new AccessRequest(new byte[16], "lamp-1", "/light", Aif.GET).encode();
            Response none = c.post("authz/access", unknown);
            assertEquals(ResponseCode.UNAUTHORIZED, none.getCode());
            assertEquals("unknown token", none.getPayloadString());
            assertEquals(1, logs.count("for client " + DevicePeers.shortHex(mallory.publicKey())
                    + " refused at height 120 (token " + chainkm.protocol.crypto.Hex.encode(cti).substring(0, 8)
                    + "): UNAUTHORIZED token bound to another key"), logs.all().toString());
            assertEquals(1, logs.count("UNAUTHORIZED unknown token"), logs.all().toString());
            assertEquals(0, logs.count("forwarding"), "nothing was forwarded");
        }
    }

    @Test
    void malformedAndOversizedRequestsAreRefusedBeforeAnyCheck() throws Exception {
        try (DtlsTestClient c = client(clients3, alice, key3); LogLines logs = new LogLines()) {
            Response garbage = c.post("authz/access", "not cbor".getBytes());
            assertEquals(ResponseCode.BAD_REQUEST, garbage.getCode(), garbage.getPayloadString());
            assertTrue(garbage.getPayloadString().startsWith("malformed access request: "), garbage.getPayloadString());
            Response oversized = c.post("authz/access", new byte[5_000]);
            assertEquals(ResponseCode.REQUEST_ENTITY_TOO_LARGE, oversized.getCode(), oversized.getPayloadString());
            assertEquals(1, logs.count("refused: malformed"), logs.all().toString());
            assertEquals(1, logs.count("bytes, at most " + AccessRequest.MAX_SIZE), logs.all().toString());
        }
    }

    @Test
    void onlyAGatewaysPskReachesRelayAccess() throws Exception {
        Ed25519.KeyPair deviceKey = Ed25519.KeyPair.generate(RANDOM);
        devices1.identity(new DeviceIdentity("dev-7", DeviceIdentity.State.ACTIVE, deviceKey.publicKey(), 1, 5, 7));
        byte[] forwarded = new chainkm.protocol.authz.ForwardedAccess(AccessRequest.decode(request()),
                alice.publicKey(), 120).encode();
        try (DtlsTestClient device = DtlsTestClient.device(deviceEndpoint1.port(), deviceKey, key1.publicKey());
             LogLines logs = new LogLines()) {
            Response r = device.post("relay/access", forwarded);
            assertEquals(ResponseCode.FORBIDDEN, r.getCode(), r.getPayloadString());
            assertEquals(1, logs.count("/relay/access refused: not a gateway's session"), logs.all().toString());
        }
        try (DtlsTestClient gateway = DtlsTestClient.psk(deviceEndpoint1.port(), "gateway-3", PSK_1_3)) {
            Response r = gateway.post("relay/access", forwarded);
            assertEquals(ResponseCode.CONTENT, r.getCode(), r.getPayloadString());
            Response bad = gateway.post("relay/access", new byte[] {1, 2});
            assertEquals(ResponseCode.BAD_REQUEST, bad.getCode(), bad.getPayloadString());
        }
    }

    @Test
    void aSilentHomeGatewayIsUnavailableAndTheStatementsGoOnMeanwhile() throws Exception {
        deviceEndpoint1.close();
        deviceEndpoint1 = null;
        CompletableFuture<Response> access = CompletableFuture.supplyAsync(() -> {
            // the forward waits twice PeerGatewayClient.ACCESS_TIMEOUT (a second try in a new DTLS session)
            try (DtlsTestClient c = DtlsTestClient.device(clients3.port(), alice, key3.publicKey(), 20_000)) {
                return c.post("authz/access", request());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(300); // the forward is waiting for gateway 1
        Ed25519.KeyPair owner = Ed25519.KeyPair.generate(RANDOM);
        Policy policy = Policy.sign(owner, "lamp-1", Aif.of("/light", Aif.GET), 10, List.of(alice.publicKey()),
                new byte[16]);
        long start = System.nanoTime();
        try (DtlsTestClient c = client(clients3, owner, key3)) {
            assertEquals(ResponseCode.CHANGED, c.post("authz/policy", policy.encode()).getCode());
        }
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3_000,
                "a statement is answered while a forward waits");
        assertTrue(!access.isDone(), "the forward was still waiting");
        Response r = access.get(20, TimeUnit.SECONDS);
        assertEquals(ResponseCode.SERVICE_UNAVAILABLE, r.getCode(), r.getPayloadString());
        assertTrue(r.getPayloadString().startsWith("home gateway 1 of device lamp-1 unreachable: "), r.getPayloadString());
        assertEquals(List.of(Operation.POLICY_PUT), submitted);
    }
}
