package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.authz.ClientEndpoint;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Authorization on a live 4-gateway testnet, through the gateways' client endpoints
 * ({@code authz_port}, CoAP/DTLS): an owner puts a policy through gateway 1, a client obtains
 * a token through gateway 2, every gateway agrees on it, the owner deletes it through gateway 3
 * and it shows on the revocation list. Attacks are refused with their codes and change nothing.
 */
class AuthorizationIT extends SharedTestnetIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration AGREE = Duration.ofSeconds(60);

    @BeforeAll
    void start() throws Exception {
        net = RunningTestnet.start(dir, 4);
    }

    private static byte[] random16() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    private Ed25519.KeyPair gatewayKey(int id) throws IOException {
        return GatewayKey.load(dir.resolve("gateway-" + id).resolve("gateway.key"));
    }

    private ClientEndpoint client(int gateway, Ed25519.KeyPair key) throws IOException {
        int port = GatewayConfig.load(dir.resolve("gateway-" + gateway)).authzPortOrDefault();
        return ClientEndpoint.connect(port, key, gatewayKey(gateway).publicKey());
    }

    private String logsOf(int gateway) throws IOException {
        return Files.readString(dir.resolve("gateway-" + gateway).resolve("gateway.log"));
    }

    private static String text(Response r) {
        return r.getPayloadString();
    }

    /** What the ledger of every gateway says about the token: the same everywhere. */
    private JsonNode tokenEverywhere(byte[] cti) {
        JsonNode first = net.query(1, "/authz/token", Hex.encode(cti));
        for (int g = 2; g <= 4; g++) {
            assertEquals(first, net.query(g, "/authz/token", Hex.encode(cti)), "gateway " + g + " disagrees");
        }
        return first;
    }

    /** The committed app hash (without the height) once every gateway agrees. */
    private String appHash() throws InterruptedException {
        String agreed = net.awaitSameAppHash(AGREE);
        return agreed.substring(agreed.indexOf('/') + 1);
    }

    @Test
    void aClientGetsATokenThroughAnyGatewayTheOwnerDeletesItAndAttacksChangeNothing() throws Exception {
        String device = "lamp-" + Integer.toHexString(RANDOM.nextInt());
        Ed25519.KeyPair owner = Ed25519.KeyPair.generate(RANDOM);
        Ed25519.KeyPair alice = Ed25519.KeyPair.generate(RANDOM);
        Aif scope = Aif.of("/light", Aif.GET | Aif.PUT);
        Policy policy = Policy.sign(owner, device, scope, 10_000, List.of(alice.publicKey()), random16());

        // the owner puts the policy through gateway 1
        try (ClientEndpoint c = client(1, owner)) {
            Response r = c.post("policy", policy.encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), text(r));
        }
        JsonNode stored = net.query(1, "/authz/policy", Hex.encode(policy.id()));
        assertEquals(device, stored.path("device").asText());

        // the client adds a token through gateway 2: the answer is the granted token
        TokenRequest request = TokenRequest.sign(alice, policy.id(), device, Aif.of("/light", Aif.GET), 5_000,
                random16(), null);
        AccessToken token;
        try (ClientEndpoint c = client(2, alice)) {
            Response r = c.post("token", request.encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), text(r));
            token = AccessToken.decode(r.getPayload());
        }
        assertArrayEquals(request.cti(), token.cti());
        assertArrayEquals(alice.publicKey(), token.clientKey());
        assertEquals(device, token.audience());
        assertEquals(token.iat() + 5_000, token.exp());

        // every gateway agrees: same app hash, the same live token, exactly the one the client got
        String hashWithToken = appHash();
        JsonNode live = tokenEverywhere(token.cti());
        assertEquals("live", live.path("state").asText());
        assertEquals(Hex.encode(token.encode()), live.path("token").asText());
        assertEquals(Hex.encode(alice.publicKey()), live.path("client").asText());

        // attacks: each refused with its own code, and nothing changes
        Ed25519.KeyPair gateway1 = gatewayKey(1);
        CometRpc rpc = net.rpc(1);
        // a token request forged by a gateway: Bob's request under a signature that is not Bob's
        Ed25519.KeyPair bob = Ed25519.KeyPair.generate(RANDOM);
        byte[] forged = TokenRequest.sign(bob, policy.id(), device, Aif.of("/light", Aif.GET), 10, random16(), null)
                .encode();
        forged[forged.length - 1] ^= 0x01; // the signature is the statement's last field
        assertRefused(rpc, TxCode.BAD_CLIENT_SIGNATURE, tx(Operation.TOKEN_REQUEST, forged, 1, gateway1));
        // one gateway deleting the token alone, co-signed by itself only
        byte[] message = TokenDeletion.cosignedMessage(token.cti());
        byte[] alone = TokenDeletion.cosigned(token.cti(), List.of(Cosignatures.cosign(1, gateway1, message))).encode();
        assertRefused(rpc, TxCode.DELETE_NOT_ALLOWED, tx(Operation.TOKEN_DELETE, alone, 1, gateway1));
        // malformed CBOR and an oversized extension, straight over RPC
        assertRefused(rpc, TxCode.MALFORMED_AUTHZ, tx(Operation.TOKEN_REQUEST,
                "not cbor at all".getBytes(StandardCharsets.US_ASCII), 1, gateway1));
        assertRefused(rpc, TxCode.MALFORMED_AUTHZ, tx(Operation.TOKEN_REQUEST, new byte[5_000], 1, gateway1));
        try (ClientEndpoint c = client(3, alice)) {
            // the replayed token request, through another gateway
            Response replay = c.post("token", request.encode());
            assertEquals(ResponseCode.FORBIDDEN, replay.getCode(), text(replay));
            assertTrue(text(replay).startsWith("code " + TxCode.REPLAYED_REQUEST.code() + " REPLAYED_REQUEST"),
                    text(replay));
            // the same malformed and oversized statements over CoAP: refused by the gateway, nothing submitted
            Response malformed = c.post("token", "not cbor at all".getBytes(StandardCharsets.US_ASCII));
            assertEquals(ResponseCode.BAD_REQUEST, malformed.getCode(), text(malformed));
            Response oversized = c.post("token", new byte[5_000]);
            assertEquals(ResponseCode.REQUEST_ENTITY_TOO_LARGE, oversized.getCode(), text(oversized));
        }
        assertEquals(hashWithToken, appHash(), "an attack changed the ledger");
        assertEquals(live, tokenEverywhere(token.cti()));
        assertTrue(logsOf(1).contains("CheckTx refused: BAD_CLIENT_SIGNATURE"), "gateway 1 logs the forged request");
        assertTrue(logsOf(1).contains("CheckTx refused: DELETE_NOT_ALLOWED"), "gateway 1 logs the lone deletion");
        assertTrue(logsOf(3).contains("refused by the ledger: code " + TxCode.REPLAYED_REQUEST.code()),
                "gateway 3 logs the replay");
        assertTrue(logsOf(3).contains("refused: malformed"), "gateway 3 logs the malformed statement");

        // the owner deletes the token through gateway 3; it shows on every gateway's revocation list
        try (ClientEndpoint c = client(3, owner)) {
            Response r = c.post("token-delete", TokenDeletion.sign(owner, token.cti()).encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), text(r));
        }
        appHash();
        JsonNode revoked = tokenEverywhere(token.cti());
        assertEquals("revoked", revoked.path("state").asText());
        for (int g = 1; g <= 4; g++) {
            JsonNode list = net.query(g, "/authz/revoked", "0").path("revoked");
            boolean listed = false;
            for (JsonNode e : list) {
                listed |= e.path("cti").asText().equals(Hex.encode(token.cti()));
            }
            assertTrue(listed, "gateway " + g + " lists the deleted token: " + list);
        }
        assertEquals(0, net.query(4, "/authz/tokens", Hex.encode(alice.publicKey())).path("tokens").size());
    }

    private static byte[] tx(Operation op, byte[] extension, int gateway, Ed25519.KeyPair key) {
        return LedgerTx.sign(new ChangeRecord(op, 0, 0, new byte[32], random16()), gateway, extension, key).encode();
    }

    private static void assertRefused(CometRpc rpc, TxCode code, byte[] tx) {
        CometRpc.BroadcastResult r = rpc.broadcastTxSync(tx);
        assertEquals(code.code(), r.code(), code + " expected, got " + r.code() + ": " + r.log());
        assertTrue(r.log().startsWith(code.name()), "the log names the reason: " + r.log());
    }
}
