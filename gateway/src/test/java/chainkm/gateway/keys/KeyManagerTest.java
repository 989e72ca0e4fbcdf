package chainkm.gateway.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.sets.Assignment;
import chainkm.protocol.sets.Reorder;
import chainkm.protocol.sets.SetLayout;
import chainkm.protocol.sets.SetMove;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway 1's key manager, two gateways in the consortium: the bounded rekey archive, the
 * full-state answer to a catch-up older than it, and the join bundle handed to a waiter.
 */
class KeyManagerTest {
    private final SecureRandom random = new SecureRandom();
    @TempDir
    Path dir;

    private final SetLayout ledger = new SetLayout();
    private final List<RefreshEntry> entries = new ArrayList<>();
    private GatewaySecrets secrets;
    private Ed25519.KeyPair signer;

    @BeforeEach
    void consortium() throws Exception {
        Map<Integer, byte[]> kem = new TreeMap<>();
        for (int g = 1; g <= 2; g++) {
            kem.put(g, GatewaySecrets.generate(Files.createDirectories(dir.resolve("g" + g))));
        }
        secrets = GatewaySecrets.load(dir.resolve("g1"), 1, kem);
        signer = Ed25519.KeyPair.generate(random);
    }

    private KeyManager manager(RekeyArchive.Limits limits) {
        return new KeyManager(1, secrets, signer, limits);
    }

    private void commit(Operation op, int node, int set, int gateway, List<SetMove> moves) {
        byte[] r = new byte[16];
        random.nextBytes(r);
        entries.add(new RefreshEntry(entries.size() + 1, 0, op, node, set, r, gateway, moves));
    }

    private void join(int node, int gateway) {
        int set = Assignment.selectSet(ledger, gateway);
        ledger.add(node, set, gateway);
        commit(Operation.JOIN, node, set, gateway, List.of());
    }

    private void leave(int node) {
        int set = ledger.setOf(node).getAsInt();
        int owner = ledger.ownerOf(set);
        ledger.remove(node);
        commit(Operation.LEAVE, node, set, owner, Reorder.afterLeave(ledger, set, owner));
    }

    /** 30 joins at both gateways, 10 leaves, 10 more joins: node 1000 (gateway 1's) joins first and stays. */
    private void history() {
        for (int i = 0; i < 30; i++) {
            join(1000 + i, i % 2 == 0 ? 1 : 2);
        }
        for (int i = 0; i < 10; i++) {
            leave(1001 + 2 * i + (i % 3 == 0 ? 1 : 0));
        }
        for (int i = 0; i < 10; i++) {
            join(2000 + i, i % 2 == 0 ? 1 : 2);
        }
    }

    private static KeyManager fed(KeyManager km, List<RefreshEntry> entries) {
        entries.forEach(km::apply);
        return km;
    }

    @Test
    void theArchiveKeepsAtMostItsNumberOfOperationsAndItsBytes() {
        history();
        KeyManager byCount = fed(manager(new RekeyArchive.Limits(10, Long.MAX_VALUE)), entries);
        assertEquals(50, byCount.seq());
        assertEquals(10, byCount.archive().operations());
        assertEquals(40, byCount.archive().horizon());

        KeyManager byBytes = fed(manager(new RekeyArchive.Limits(1_000, 20_000)), entries);
        assertTrue(byBytes.archive().bytes() <= 20_000 || byBytes.archive().operations() == 1,
                byBytes.archive().bytes() + " bytes kept");
        assertTrue(byBytes.archive().horizon() > 0, "20 kB cannot hold 50 operations");

        KeyManager unbounded = fed(manager(RekeyArchive.Limits.DEFAULT), entries);
        assertEquals(0, unbounded.archive().horizon(), "the default keeps every operation of this history");
        assertEquals(50, unbounded.archive().operations());
    }

    @Test
    void aCatchUpWithinTheArchiveIsTheSameAsWithoutABound() throws Exception {
        history();
        KeyManager bounded = fed(manager(new RekeyArchive.Limits(10, Long.MAX_VALUE)), entries);
        KeyManager unbounded = fed(manager(RekeyArchive.Limits.DEFAULT), entries);
        for (int node : List.of(1000, 2000, 2008)) {
            for (long after : List.of(40L, 45L, 49L, 50L)) {
                assertEquals(seqs(unbounded.catchUp(node, after)), seqs(bounded.catchUp(node, after)),
                        "node " + node + " after " + after);
            }
        }
        assertEquals(List.of(41L, 42L, 43L, 44L, 45L, 46L, 47L, 48L, 49L, 50L), seqs(bounded.catchUp(1000, 40)));
    }

    @Test
    void aCatchUpOlderThanTheArchiveGetsTheDevicesFullStateAtTheCurrentSeq() throws Exception {
        history();
        KeyManager bounded = fed(manager(new RekeyArchive.Limits(10, Long.MAX_VALUE)), entries);
        KeyManager unbounded = fed(manager(RekeyArchive.Limits.DEFAULT), entries);
        int node = 1000;
        JoinBundle joined = unbounded.bundle(node).orElseThrow();
        assertEquals(1, joined.seq());

        // the device that slept since its join, caught up message by message where nothing was pruned
        Device stepwise = new Device(joined);
        for (byte[] m : unbounded.catchUp(node, joined.seq())) {
            stepwise.apply(m, false);
        }
        assertEquals(50, stepwise.seq);

        // where its messages left the archive: one full-state NODE message, signed, under its node key
        List<byte[]> answer = bounded.catchUp(node, joined.seq());
        assertEquals(1, answer.size());
        RekeyMessage full = RekeyMessage.decode(answer.get(0));
        assertEquals(RekeyMessage.Kind.NODE, full.kind());
        assertEquals(node, full.target());
        assertEquals(50, full.seq());
        assertTrue(full.verify(signer.publicKey()));
        Device oneStep = new Device(joined);
        oneStep.apply(answer.get(0), true);
        assertEquals(50, oneStep.seq);
        assertEquals(stepwise.set, oneStep.set);
        assertEquals(stepwise.keys.keySet(), oneStep.keys.keySet());
        stepwise.keys.forEach((id, key) -> assertArrayEquals(key, oneStep.keys.get(id), id.toString()));

        // and a retried join whose bundle left the archive gets the member's keys now
        JoinBundle now = bounded.bundle(node).orElseThrow();
        assertEquals(50, now.seq());
        assertEquals(stepwise.keys.size(), now.keys().size());
        for (KeyMaterial k : now.keys()) {
            assertArrayEquals(stepwise.keys.get(k.id()), k.key(), k.id().toString());
        }
    }

    @Test
    void aWaiterGetsTheFinalBundleWhenTheJoinIsApplied() {
        KeyManager km = manager(new RekeyArchive.Limits(2, Long.MAX_VALUE));
        join(1, 1);
        byte[] commitment = new byte[32];
        random.nextBytes(commitment);
        CompletableFuture<JoinBundle> waiter = km.joinBundle(1);
        assertFalse(waiter.isDone());
        km.apply(entries.get(0), commitment);
        assertTrue(waiter.isDone());
        assertEquals(1, waiter.join().nodeId());
        assertEquals(1, waiter.join().seq());
        assertArrayEquals(commitment, waiter.join().commitment());
        assertTrue(km.joinBundle(1).isDone(), "a retried join gets it at once");

        join(2, 2);
        join(3, 1);
        km.apply(entries.get(1));
        km.apply(entries.get(2));
        JoinBundle rebuilt = km.joinBundle(1).join();
        assertEquals(3, rebuilt.seq(), "its bundle left the archive: its keys at the current seq");
        assertArrayEquals(commitment, rebuilt.commitment());
        assertFalse(km.joinBundle(2).isDone(), "gateway 2's newcomer gets its bundle there");
    }

    private static List<Long> seqs(List<byte[]> messages) throws Exception {
        List<Long> out = new ArrayList<>();
        for (byte[] m : messages) {
            out.add(RekeyMessage.decode(m).seq());
        }
        return out;
    }

    /** The device side of the key protocol, just enough to compare two ways of catching up. */
    private static final class Device {
        final int node;
        final Map<KeyId, byte[]> keys = new HashMap<>();
        int set;
        long seq;

        Device(JoinBundle b) {
            node = b.nodeId();
            set = b.setId();
            seq = b.seq();
            b.keys().forEach(k -> keys.put(k.id(), k.key()));
        }

        void apply(byte[] bytes, boolean mayBridgeAGap) throws Exception {
            RekeyMessage m = RekeyMessage.decode(bytes);
            if (!mayBridgeAGap) {
                assertEquals(seq + 1, m.seq());
            }
            byte[] kek = keys.get(m.kind() == RekeyMessage.Kind.NODE ? KeyId.nodeKey(node) : KeyId.setKey(set));
            for (KeyUpdate u : m.open(kek)) {
                switch (u.action()) {
                    case PUT -> keys.put(u.id(), u.key());
                    case ROLL -> keys.put(u.id(), KeyUpdate.rolled(u.id(), keys.get(u.id()), m.refreshKey()));
                    case DELETE -> keys.remove(u.id());
                    case SET -> set = u.setId();
                    case WIPE -> keys.keySet().removeIf(id -> id.kind() != KeyKind.NODE_KEY);
                }
            }
            seq = m.seq();
        }
    }
}
