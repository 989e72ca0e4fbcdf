package chainkm.testbed;

import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.GatewayKey;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.sets.Assignment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
        assertTrue(logsOf(2).contains("CheckTx refused: SET_MISMATCH"), "gateway 2 logs each refusal by name");
    }

    private Ed25519.KeyPair gatewayKey(int id) throws IOException {
        return GatewayKey.load(dir.resolve("gateway-" + id).resolve("gateway.key"));
    }

    private static ChangeRecord blank(Operation op) {
        return new ChangeRecord(op, 0, 0, new byte[32], random16());
    }

    /** A device of the test's own: its name, key and commitment. */
    private record Device(String name, Ed25519.KeyPair key, byte[] commitment) {
        static Device fresh(String name) {
            return new Device(name, Ed25519.KeyPair.generate(RANDOM), freshHash());
        }

        byte[] enroll(int gw, Ed25519.KeyPair gwKey) {
            return LedgerTx.sign(blank(Operation.ENROLL), gw, new DeviceEnrollment(name, key.publicKey()).encode(), gwKey)
                    .encode();
        }

        byte[] join(int node, int set, int gw, Ed25519.KeyPair gwKey) {
            return LedgerTx.sign(new ChangeRecord(Operation.JOIN, node, set, commitment, random16()), gw,
                    DeviceAuthorization.forJoin(name, commitment, key).encode(), gwKey).encode();
        }
    }

    private void commit(byte[] tx) {
        CometRpc.CommitResult r = net.rpc(1).broadcastTxCommit(tx);
        assertTrue(r.isOk(), r.toString());
    }

    /** Enrolled and joined through gateway 1, then left (its own signature). */
    private void joinAndLeave(Device d, int node) {
        commit(d.enroll(1, gateway1));
        commit(d.join(node, Assignment.selectSet(net.layout(1), 1), 1, gateway1));
        int set = net.query(1, "/node", Integer.toString(node)).path("set_id").asInt();
        commit(LedgerTx.sign(new ChangeRecord(Operation.LEAVE, node, set, d.commitment(), random16()), 1,
                DeviceAuthorization.forLeave(d.name(), node, d.key()).encode(), gateway1).encode());
    }

    @Test
    void everyRefusalOfADevicesAuthorityIsRefusedThroughTheRpcWithItsOwnCodeAndChangesNothing() throws Exception {
        String tag = Integer.toHexString(RANDOM.nextInt());
        Ed25519.KeyPair gateway2 = gatewayKey(2);
        Ed25519.KeyPair gateway3 = gatewayKey(3);
        // a member of gateway 1; an enrolled device; one that left and was enrolled again
        Device member = Device.fresh("member-" + tag);
        commit(member.enroll(1, gateway1));
        int set = Assignment.selectSet(net.layout(1), 1);
        commit(member.join(710_000_001, set, 1, gateway1));
        Device enrolled = Device.fresh("enrolled-" + tag);
        commit(enrolled.enroll(2, gateway2));
        Device left = Device.fresh("left-" + tag);
        joinAndLeave(left, 710_000_002);
        Device reenrolled = new Device(left.name(), Ed25519.KeyPair.generate(RANDOM), left.commitment());
        commit(reenrolled.enroll(3, gateway3));
        Device gone = Device.fresh("gone-" + tag);
        joinAndLeave(gone, 710_000_003);
        JsonNode memberRecord = net.query(1, "/node", "710000001");
        net.awaitSameAppHash(List.of(1, 2, 3, 4), Duration.ofSeconds(60));
        Set<Integer> membersBefore = net.members(1);
        byte[] layoutBefore = net.layout(1).encode();
        List<String> names = List.of(member.name(), enrolled.name(), left.name(), gone.name());
        List<JsonNode> identitiesBefore = new ArrayList<>();
        for (String n : names) {
            identitiesBefore.add(net.query(1, "/identity", n));
        }
        assertEquals("enrolled", net.query(2, "/identity", member.name()).path("state").asText());
        assertEquals("revoked", net.query(2, "/identity", gone.name()).path("state").asText());

        set = Assignment.selectSet(net.layout(1), 1);
        Map<TxCode, byte[]> cases = new LinkedHashMap<>();
        cases.put(TxCode.MALFORMED_EXTENSION, LedgerTx.sign(new ChangeRecord(Operation.JOIN, 710_000_010, set,
                enrolled.commitment(), random16()), 1, null, gateway1).encode());
        cases.put(TxCode.UNKNOWN_IDENTITY, Device.fresh("nobody-" + tag).join(710_000_011, set, 1, gateway1));
        cases.put(TxCode.NAME_TAKEN, Device.fresh(enrolled.name()).enroll(3, gateway3));
        cases.put(TxCode.KEY_IN_USE, new Device("other-" + tag, enrolled.key(), freshHash()).enroll(3, gateway3));
        cases.put(TxCode.IDENTITY_NOT_ENROLLED, LedgerTx.sign(blank(Operation.ACTIVATE), 2, IdentityActivation.sign(
                member.name(), member.key(), Ed25519.KeyPair.generate(RANDOM)).encode(), gateway2).encode());
        cases.put(TxCode.BAD_DEVICE_SIGNATURE, new Device(enrolled.name(), gateway1, enrolled.commitment())
                .join(710_000_012, set, 1, gateway1));
        cases.put(TxCode.ALREADY_JOINED, new Device(member.name(), member.key(), freshHash()).join(710_000_013, set, 1,
                gateway1));
        cases.put(TxCode.EVICT_NOT_AUTHORIZED, LedgerTx.sign(new ChangeRecord(Operation.EVICT, 710_000_001,
                memberRecord.path("set_id").asInt(), Hex.decode(memberRecord.path("secret_code_hash").asText()), random16()),
                2, null, gateway2).encode());
        cases.put(TxCode.IDENTITY_REVOKED, new Device(gone.name(), gone.key(), freshHash()).join(710_000_016, set, 3,
                gateway3));
        cases.put(TxCode.SECRET_HASH_REUSED, reenrolled.join(710_000_014, set, 1, gateway1));
        cases.put(TxCode.WRONG_SET, enrolled.join(710_000_015, set + 1000, 1, gateway1));

        CometRpc rpc = net.rpc(2);
        for (Map.Entry<TxCode, byte[]> c : cases.entrySet()) {
            CometRpc.BroadcastResult r = rpc.broadcastTxSync(c.getValue());
            assertEquals(c.getKey().code(), r.code(), c.getKey() + " refused with " + r.code() + ": " + r.log());
            assertEquals(TxCode.CODESPACE, r.codespace());
            assertTrue(r.log().startsWith(c.getKey().name()), "the log names the reason: " + r.log());
        }
        long height = net.net.status(1).path("height").asLong();
        RunningTestnet.await("two more blocks", Duration.ofSeconds(30),
                () -> net.net.status(1).path("height").asLong() >= height + 2);
        net.awaitSameAppHash(List.of(1, 2, 3, 4), Duration.ofSeconds(60));
        assertEquals(membersBefore, net.members(1));
        assertTrue(Arrays.equals(layoutBefore, net.layout(1).encode()), "layout changed");
        for (int i = 0; i < names.size(); i++) {
            assertEquals(identitiesBefore.get(i), net.query(3, "/identity", names.get(i)), "identity " + names.get(i));
        }
        assertTrue(logsOf(2).contains("CheckTx refused: EVICT_NOT_AUTHORIZED"), "gateway 2 logs each refusal by name");
    }

    @Test
    void aNonOwnerEvictsOnlyWithTheConsortiumsCoSignaturesGatheredBySubmit() throws Exception {
        JsonNode joined = net.submit(1, "join", "commit", null, false);
        assertEquals("committed", joined.path("status").asText(), joined.toString());
        int node = joined.path("node_id").asInt();
        String name = net.query(1, "/node", Integer.toString(node)).path("identity").asText();
        assertTrue(name.startsWith("synthetic-"), name);

        JsonNode alone = net.submit(2, "evict", "commit", node, false);
        assertEquals("refused", alone.path("status").asText(), alone.toString());
        assertEquals(TxCode.EVICT_NOT_AUTHORIZED.code(), alone.path("code").asInt());
        assertTrue(net.members(1).contains(node));
        // a leave in its name: gateway 2 does not hold its key, and says so before submitting anything
        Exception leave = assertThrows(IOException.class,
                () -> net.submit(2, "leave", "commit", node, false));
        assertTrue(leave.getMessage().contains("POST /leave"), leave.getMessage());

        int exit = new CommandLine(new ChainkmCli()).execute("submit", "--dir", dir.toString(), "--op", "evict",
                "--node", Integer.toString(node), "--gateway", "2");
        assertEquals(0, exit, "submit --op evict through a non-owner, co-signed by the testnet's gateways");
        assertTrue(!net.members(1).contains(node));
        assertEquals("revoked", net.query(3, "/identity", name).path("state").asText());
        assertEquals(2, new CommandLine(new ChainkmCli()).execute("submit", "--dir", dir.toString(), "--op", "fly"),
                "an unknown op is a usage error");
    }

    @Test
    void theControlApiEnrollsADeviceNameOnceWithThePublicKeyItIsGiven() throws Exception {
        String name = "kitchen-" + Integer.toHexString(RANDOM.nextInt());
        Ed25519.KeyPair enrollmentKey = Ed25519.KeyPair.generate(RANDOM);
        ObjectNode req = JSON.createObjectNode().put("op", "enroll").put("name", name)
                .put("enrollment_key", Hex.encode(enrollmentKey.publicKey())).put("mode", "commit");
        JsonNode r = net.net.client(2).submit(req, Duration.ofSeconds(60));
        assertEquals("committed", r.path("status").asText(), r.toString());
        assertEquals(name, r.path("name").asText());
        JsonNode id = net.query(4, "/identity", name);
        assertEquals("enrolled", id.path("state").asText());
        assertEquals(2, id.path("enrolled_by").asInt());
        assertEquals(Hex.encode(enrollmentKey.publicKey()), id.path("key").asText());
        JsonNode again = net.net.client(3).submit(req.put("enrollment_key",
                Hex.encode(Ed25519.KeyPair.generate(RANDOM).publicKey())), Duration.ofSeconds(60));
        assertEquals(TxCode.NAME_TAKEN.code(), again.path("code").asInt(), again.toString());
        assertEquals(id, net.query(4, "/identity", name), "unchanged");
        IOException bad = assertThrows(IOException.class, () -> net.net.client(1).submit(JSON.createObjectNode()
                .put("op", "enroll").put("name", "no spaces allowed").put("enrollment_key", Hex.encode(new byte[32])),
                Duration.ofSeconds(10)));
        assertTrue(bad.getMessage().contains("device name"), bad.getMessage());
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
