package chainkm.gateway.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.rekey.Topics;
import chainkm.protocol.sets.Assignment;
import chainkm.protocol.sets.SetLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RENEW of one of gateway 1's sets, followed by both gateways' key managers: exactly that set's
 * keys change (set key, its members' node keys, pairwise node keys, its pairwise set keys, the
 * ones with gateway 2's sets included), the members' new keys are never published, and the
 * old node key opens nothing sent after the renewal.
 */
class RenewRekeyPlanTest {
    private final SecureRandom random = new SecureRandom();
    @TempDir
    Path dir;
    private final SetLayout ledger = new SetLayout();
    private final List<RefreshEntry> entries = new ArrayList<>();
    private KeyManager g1;
    private KeyManager g2;

    @BeforeEach
    void twoGatewaysWithSixteenDevices() throws Exception {
        Map<Integer, byte[]> kem = new TreeMap<>();
        for (int g = 1; g <= 2; g++) {
            kem.put(g, GatewaySecrets.generate(Files.createDirectories(dir.resolve("g" + g))));
        }
        g1 = new KeyManager(1, GatewaySecrets.load(dir.resolve("g1"), 1, kem), Ed25519.KeyPair.generate(random));
        g2 = new KeyManager(2, GatewaySecrets.load(dir.resolve("g2"), 2, kem), Ed25519.KeyPair.generate(random));
        for (int i = 0; i < 16; i++) {
            join(100 + i, i % 2 == 0 ? 1 : 2);
        }
    }

    private List<KeyManager.Outgoing>[] commit(Operation op, int node, int set, int gateway) {
        byte[] r = new byte[16];
        random.nextBytes(r);
        RefreshEntry e = new RefreshEntry(entries.size() + 1, 0, op, node, set, r, gateway, List.of());
        entries.add(e);
        @SuppressWarnings("unchecked")
        List<KeyManager.Outgoing>[] out = new List[] {g1.apply(e), g2.apply(e)};
        return out;
    }

    private void join(int node, int gateway) {
        int set = Assignment.selectSet(ledger, gateway);
        ledger.add(node, set, gateway);
        commit(Operation.JOIN, node, set, gateway);
    }

    /** Every key a device of {@code km} holds, by id, as hex (from the gateway's full state for it). */
    private static Map<KeyId, String> deviceKeys(KeyManager km, int node) {
        Map<KeyId, String> out = new TreeMap<>();
        for (KeyMaterial k : km.currentKeys(node).keys()) {
            out.put(k.id(), HexFormat.of().formatHex(k.key()));
        }
        return out;
    }

    private int setOf(int node) {
        return ledger.setOf(node).getAsInt();
    }

    @Test
    void everyKeyOfTheSetIsFreshAndNoOtherKeyChanges() throws Exception {
        int a = setOf(100); // gateway 1's
        int b = setOf(101); // gateway 2's
        List<Integer> membersA = new ArrayList<>(ledger.members(a));
        assertTrue(membersA.size() >= 2, "a set with pairwise node keys");
        Map<Integer, Map<KeyId, String>> before = new TreeMap<>();
        for (int n = 100; n < 116; n++) {
            before.put(n, deviceKeys(n % 2 == 0 ? g1 : g2, n));
        }
        long seqBefore = g1.seq();
        byte[] oldNodeKey = g1.nodeKey(100);

        List<KeyManager.Outgoing>[] out = commit(Operation.RENEW, 0, a, 1);

        for (int n = 100; n < 116; n++) {
            Map<KeyId, String> now = deviceKeys(n % 2 == 0 ? g1 : g2, n);
            assertEquals(before.get(n).keySet(), now.keySet(), "node " + n + " holds the same key ids");
            for (KeyId id : now.keySet()) {
                boolean ofA = id.involvesSet(a) || membersA.contains(n)
                        && (id.equals(KeyId.nodeKey(n)) || id.equals(KeyId.setKey(a)) || id.kind().name().equals("PAIRWISE_NODE_KEY"));
                assertEquals(!ofA, before.get(n).get(id).equals(now.get(id)),
                        "node " + n + ", " + id + (ofA ? " must be fresh" : " must not change"));
            }
        }
        // gateway 2 followed on its own: its devices' pairwise set key with A is gateway 1's new one
        assertEquals(deviceKeys(g1, 100).get(KeyId.pairwiseSetKey(a, b)), deviceKeys(g2, 101).get(KeyId.pairwiseSetKey(a, b)));

        // on MQTT: for A only the notice (under the old set key, no key in it, every member exempt); nothing on node topics
        List<String> topics = new ArrayList<>();
        out[0].forEach(o -> topics.add(o.topic()));
        membersA.forEach(n -> assertFalse(topics.contains(Topics.node(n)), "node " + n + "'s keys are not published"));
        RekeyMessage notice = RekeyMessage.decode(out[0].stream().filter(o -> o.topic().equals(Topics.set(a)))
                .findFirst().orElseThrow().message());
        assertEquals(Operation.RENEW, notice.operation());
        assertEquals(new TreeSet<>(membersA), new TreeSet<>(notice.exempt()));
        assertTrue(out[1].stream().anyMatch(o -> o.topic().equals(Topics.set(b))), "gateway 2 tells its set B");

        // over DTLS (catch-up): node 100's message opens under its old node key and carries its new keys
        List<byte[]> fetched = g1.catchUp(100, seqBefore);
        assertEquals(1, fetched.size());
        RekeyMessage m = RekeyMessage.decode(fetched.get(0));
        assertEquals(RekeyMessage.Kind.NODE, m.kind());
        Map<KeyId, String> delivered = new TreeMap<>();
        for (KeyUpdate u : m.open(oldNodeKey)) {
            assertEquals(KeyUpdate.Action.PUT, u.action());
            delivered.put(u.id(), HexFormat.of().formatHex(u.key()));
            assertEquals(u.id().kind().name().startsWith("PAIRWISE"), u.grace(), u.id() + ": grace for data keys only");
        }
        assertEquals(deviceKeys(g1, 100), delivered, "the message holds exactly the device's new keys");
    }

    @Test
    void theOldNodeKeyOpensNothingSentAfterTheRenewal() throws Exception {
        int a = setOf(100);
        byte[] oldNodeKey = g1.nodeKey(100);
        commit(Operation.RENEW, 0, a, 1);
        assertFalse(java.util.Arrays.equals(oldNodeKey, g1.nodeKey(100)));
        // a newcomer in A: node 100 gets its link with it in a NODE message, now under its new node key
        List<KeyManager.Outgoing> out = new ArrayList<>();
        ledger.add(200, a, 1); // the newcomer joins A (the key managers follow the ledger's layout as given)
        out.addAll(commit(Operation.JOIN, 200, a, 1)[0]);
        RekeyMessage m = RekeyMessage.decode(out.stream().filter(o -> o.topic().equals(Topics.node(100))).findFirst()
                .orElseThrow().message());
        assertThrows(AuthenticationException.class, () -> m.open(oldNodeKey));
        assertTrue(m.open(g1.nodeKey(100)).size() > 0);
        // the newcomer's pairwise node key with 100 is the one 100 holds: both of the renewed generation
        KeyId link = KeyId.pairwiseNodeKey(100, 200);
        assertEquals(deviceKeys(g1, 100).get(link), deviceKeys(g1, 200).get(link));
    }

    @Test
    void theScheduleOffersTheOldestSetAndStartsItsAgeAgain() {
        SortedSet<Integer> own = new TreeSet<>();
        for (int s : ledger.setIds()) {
            if (ledger.ownerOf(s) == 1) {
                own.add(s);
            }
        }
        assertTrue(own.size() >= 2, "gateway 1 owns several sets: " + own);
        long height = entries.size();
        assertEquals(Optional.empty(), g1.renewalDue(height, 100, 0), "nothing is 100 blocks old");
        int first = g1.renewalDue(height + 100, 100, 0).orElseThrow();
        assertEquals(setOf(100), first, "the set made first is the oldest");
        commit(Operation.RENEW, 0, first, 1);
        int second = g1.renewalDue(height + 100, 100, 0).orElseThrow();
        assertTrue(second != first && own.contains(second), "then another of its sets: " + second + " after " + first
                + " of " + own);
        assertEquals(entries.size(), g1.renewedAtHeight(first));
        assertEquals(-1, g1.renewedAtHeight(setOf(101)), "gateway 2's set is not gateway 1's to renew");
        assertEquals(Optional.empty(), g2.renewalDue(height + 100, 0, 0), "0 and 0: never");
        // by operations: gateway 2's first set was made by operation 2, 15 operations ago (16 joins and the renewal)
        assertEquals(17, g2.seq());
        assertTrue(g2.renewalDue(height, 0, 16).isEmpty());
        assertEquals(Optional.of(setOf(101)), g2.renewalDue(height, 0, 15));
    }
}
