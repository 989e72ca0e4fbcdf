package chainkm.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.SubmitStatus;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.Operation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The clients' endpoint over real DTLS with a stand-in ledger: a key that is no ledger identity
 * passes the handshake, each statement reaches the ledger unchanged as its operation's
 * extension, the answers carry the granted token or the ledger's code, and what does not parse
 * never reaches the ledger.
 */
class ClientCoapServerTest {
    private static final long HEIGHT = 42;

    private final Ed25519.KeyPair gatewayKey = Ed25519.KeyPair.generate(new java.security.SecureRandom());
    private final Ed25519.KeyPair client = Ed25519.KeyPair.generate(new java.security.SecureRandom());
    private final List<Operation> operations = new CopyOnWriteArrayList<>();
    private final List<byte[]> relayed = new CopyOnWriteArrayList<>();
    private volatile SubmitResult answer = result(SubmitStatus.COMMITTED, 0, "");
    private ClientCoapServer server;

    private static SubmitResult result(SubmitStatus status, int code, String log) {
        return new SubmitResult(Operation.TOKEN_REQUEST, 0, 0, status, code, log,
                status == SubmitStatus.COMMITTED ? HEIGHT : 0, "AB", 1, 1.0, null);
    }

    @BeforeEach
    void start() {
        server = ClientCoapServer.start((op, statement) -> {
            operations.add(op);
            relayed.add(statement);
            return answer;
        }, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), gatewayKey);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private DtlsTestClient connect() throws Exception {
        return DtlsTestClient.device(server.port(), client, gatewayKey.publicKey());
    }

    private TokenRequest request(byte[] policyId) {
        return TokenRequest.sign(client, policyId, "lamp-1", Aif.of("/light", Aif.GET), 100, new byte[16], null);
    }

    @Test
    void aTokenRequestIsRelayedUnchangedAndAnsweredWithTheGrantedToken() throws Exception {
        TokenRequest request = request(new byte[32]);
        try (DtlsTestClient c = connect()) {
            Response r = c.post("authz/token", request.encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
            assertArrayEquals(request.grant(HEIGHT).encode(), r.getPayload());
            assertEquals(AuthzStatementResource.APPLICATION_CWT, r.getOptions().getContentFormat());
        }
        assertEquals(List.of(Operation.TOKEN_REQUEST), operations);
        assertArrayEquals(request.encode(), relayed.get(0));
    }

    @Test
    void aPolicyGoesOutAsAPolicyPutAndIsAnsweredWithTheHeight() throws Exception {
        Policy policy = Policy.sign(client, "lamp-1", Aif.of("/light", Aif.GET), 10, List.of(client.publicKey()),
                new byte[16]);
        try (DtlsTestClient c = connect()) {
            Response r = c.post("authz/policy", policy.encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
            assertEquals(Long.toString(HEIGHT), r.getPayloadString());
        }
        assertEquals(List.of(Operation.POLICY_PUT), operations);
        assertArrayEquals(policy.encode(), relayed.get(0));
    }

    @Test
    void aLedgerRefusalIsForbiddenWithTheCodeAndReason() throws Exception {
        answer = result(SubmitStatus.REFUSED, 46, "REPLAYED_REQUEST: that statement was recorded before");
        try (DtlsTestClient c = connect(); LogLines logs = new LogLines()) {
            Response r = c.post("authz/token", request(new byte[32]).encode());
            assertEquals(ResponseCode.FORBIDDEN, r.getCode());
            assertTrue(r.getPayloadString().startsWith("code 46 REPLAYED_REQUEST: "), r.getPayloadString());
            assertEquals(1, logs.count("refused by the ledger: code 46"));
        }
    }

    @Test
    void malformedAndOversizedStatementsNeverReachTheLedger() throws Exception {
        try (DtlsTestClient c = connect(); LogLines logs = new LogLines()) {
            Response wrongKind = c.post("authz/policy", request(new byte[32]).encode());
            assertEquals(ResponseCode.BAD_REQUEST, wrongKind.getCode(), wrongKind.getPayloadString());
            Response garbage = c.post("authz/token-delete", new byte[] {1, 2, 3});
            assertEquals(ResponseCode.BAD_REQUEST, garbage.getCode(), garbage.getPayloadString());
            Response oversized = c.post("authz/token", new byte[5_000]);
            assertEquals(ResponseCode.REQUEST_ENTITY_TOO_LARGE, oversized.getCode(), oversized.getPayloadString());
            assertEquals(2, logs.count("refused: malformed"));
        }
        assertEquals(List.of(), operations);
    }

    @Test
    void onlyTheAuthorizationResourcesExist() throws Exception {
        try (DtlsTestClient c = connect()) {
            assertEquals(ResponseCode.NOT_FOUND, c.post("join", new byte[1]).getCode());
            assertEquals(ResponseCode.NOT_FOUND, c.get("catchup", "after=0").getCode());
        }
        assertEquals(List.of(), operations);
    }
}
