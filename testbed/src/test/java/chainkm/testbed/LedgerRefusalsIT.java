package chainkm.testbed;

import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.GatewayKey;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.sets.Assignment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad transactions against a real 4-gateway testnet: each one is refused by CheckTx through the
 * CometBFT RPC with its own code and leaves the ledger unchanged; and a faulty proposer
 * (gateway 4, which puts such transactions into every block it proposes) gets its blocks
 * rejected by the honest gateways' ProcessProposal, so none of them is ever committed.
 */
class LedgerRefusalsIT extends SharedTestnetIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private Ed25519.KeyPair gateway1;

    @BeforeAll
    void start() throws Exception {
        net = RunningTestnet.start(dir, 4);
        gateway1 = GatewayKey.load(dir.resolve("gateway-1").resolve("gateway.key"));
    }

    private static byte[] random16() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    private static byte[] freshHash() {
        return SecretCode.commitment(SecretCode.generate(RANDOM));
    }

    /** A well-formed join as gateway 1 would build it on the committed layout. */
    private LedgerTx validJoin(int nodeId) {
        int set = Assignment.selectSet(net.layout(1), 1);
        return LedgerTx.sign(new ChangeRecord(Operation.JOIN, nodeId, set, freshHash(), random16()), 1, null, gateway1);
    }

    @Test
    void everyBadTransactionIsRefusedByCheckTxWithItsOwnCodeAndChangesNothing() throws Exception {
        int memberId = net.join(1).commit().nodeId();
        LedgerNode record = net.node(memberId);
        int memberSet = record.setId();
        byte[] memberHash = record.secretCodeHash();
        net.awaitSameAppHash(Duration.ofSeconds(60));
        Set<Integer> membersBefore = net.members(1);
        byte[] layoutBefore = net.layout(1).encode();

        byte[] good = validJoin(700_000_001).encode();
        byte[] badSignature = good.clone();
        badSignature[badSignature.length - 1] ^= 0x01;
        int set = Assignment.selectSet(net.layout(1), 1);
        Map<TxCode, byte[]> cases = new LinkedHashMap<>();
        cases.put(TxCode.UNSUPPORTED_VERSION, "these are garbage bytes, not a transaction".getBytes(StandardCharsets.UTF_8));
        cases.put(TxCode.TRUNCATED, Arrays.copyOf(good, good.length - 20));
        cases.put(TxCode.BAD_SIGNATURE, badSignature);
        cases.put(TxCode.UNKNOWN_GATEWAY, LedgerTx.sign(new ChangeRecord(Operation.JOIN, 700_000_002, set, freshHash(),
                random16()), 9, null, Ed25519.KeyPair.generate(RANDOM)).encode());
        cases.put(TxCode.NODE_ID_REUSED, LedgerTx.sign(new ChangeRecord(Operation.JOIN, memberId, set, freshHash(),
                random16()), 1, null, gateway1).encode());
        cases.put(TxCode.SECRET_HASH_REUSED, LedgerTx.sign(new ChangeRecord(Operation.JOIN, 700_000_003, set, memberHash,
                random16()), 1, null, gateway1).encode());
        cases.put(TxCode.WRONG_SET, LedgerTx.sign(new ChangeRecord(Operation.JOIN, 700_000_004, set + 1000, freshHash(),
                random16()), 1, null, gateway1).encode());
        cases.put(TxCode.NOT_A_MEMBER, LedgerTx.sign(new ChangeRecord(Operation.LEAVE, 700_000_005, memberSet, memberHash,
                random16()), 1, null, gateway1).encode());
        cases.put(TxCode.SECRET_HASH_MISMATCH, LedgerTx.sign(new ChangeRecord(Operation.LEAVE, memberId, memberSet,
                freshHash(), random16()), 1, null, gateway1).encode());
        cases.put(TxCode.SET_MISMATCH, LedgerTx.sign(new ChangeRecord(Operation.EVICT, memberId, memberSet + 1, memberHash,
                random16()), 1, null, gateway1).encode());

        CometRpc rpc = net.rpc(2);
        for (Map.Entry<TxCode, byte[]> c : cases.entrySet()) {
            CometRpc.BroadcastResult r = rpc.broadcastTxSync(c.getValue());
            assertEquals(c.getKey().code(), r.code(), c.getKey() + " refused with " + r.code() + ": " + r.log());
            assertEquals(TxCode.CODESPACE, r.codespace());
            assertTrue(r.log().startsWith(c.getKey().name()), "the log names the reason: " + r.log());
        }
        // nothing changed: the same members and layout once a few more blocks are committed
        net.awaitHeight(net.height(1) + 2, Duration.ofSeconds(30));
        net.awaitSameAppHash(Duration.ofSeconds(60));
        assertEquals(membersBefore, net.members(1));
        assertTrue(Arrays.equals(layoutBefore, net.layout(1).encode()), "layout changed");
        assertTrue(logsOf(2).contains("CheckTx refused: WRONG_SET"), "gateway 2 logs each refusal by name");
    }

    @Test
    void blocksFromAFaultyProposerAreRejectedAndTheChainGoesOn() throws Exception {
        byte[] forged = LedgerTx.sign(new ChangeRecord(Operation.JOIN, 800_000_001, 1, freshHash(), random16()), 1, null,
                Ed25519.KeyPair.generate(RANDOM)).encode();
        Path faults = dir.resolve("faulty-proposals.txt");
        Files.writeString(faults, Hex.encode("garbage".getBytes(StandardCharsets.UTF_8)) + "\n" + Hex.encode(forged) + "\n");
        net.net.stop(4);
        net.net.startGateway(4, List.of("--faulty-proposals", faults.toString()));
        net.net.awaitReady(Duration.ofSeconds(90));
        long start = net.height(1);

        for (int i = 0; i < 6; i++) {
            int gateway = 1 + i % 3;
            if (i % 2 == 0) {
                assertThat(net.join(gateway).commit()).isCommitted();
            } else {
                assertThat(net.join(gateway).syncAndAwaitLanded()).landedCommitted();
            }
        }
        RunningTestnet.await("gateway 4 to propose (and the others to reject) a block", Duration.ofSeconds(90),
                () -> logsOf(1).contains("ProcessProposal: REJECT"));
        // the chain goes on after the rejection
        net.awaitHeight(start + 8, Duration.ofSeconds(60));
        net.awaitSameAppHash(Duration.ofSeconds(60));

        // no committed block holds a refused transaction
        long end = net.height(1);
        int port = net.net.layout().gateway(1).rpcPort();
        for (long h = 1; h <= end; h++) {
            for (JsonNode tx : blockResults(port, h).path("txs_results")) {
                assertEquals(0, tx.path("code").asInt(), "height " + h + " holds a refused transaction: " + tx);
            }
        }
        assertTrue(!net.members(1).contains(800_000_001), "the forged join never landed");
        net.net.stop(4);
        net.net.startGateway(4, List.of());
        net.net.awaitReady(Duration.ofSeconds(90));
    }

    private static JsonNode blockResults(int rpcPort, long height) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + rpcPort + "/block_results?height=" + height))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("result");
    }

    private String logsOf(int gateway) {
        try {
            return Files.readString(dir.resolve("gateway-" + gateway).resolve("gateway.log"));
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
