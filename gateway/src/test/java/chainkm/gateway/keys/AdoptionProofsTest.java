package chainkm.gateway.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.gateway.ledger.RemovalEntry;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adopter's side of issue 11: gateway 3 adopts gateway 2's sets and its full-state messages
 * carry the committed removals up to the adoption (what devices check), its other messages none;
 * the proofs depend on the operation's place in the ledger only, so a message sealed again after
 * a restart, when the ledger holds later removals too, is the same bytes.
 */
class AdoptionProofsTest {
    private final SecureRandom random = new SecureRandom();
    @TempDir
    Path dir;
    private final SetLayout ledger = new SetLayout();
    private final List<RefreshEntry> entries = new ArrayList<>();
    private GatewaySecrets secrets;
    private final Ed25519.KeyPair signer = Ed25519.KeyPair.generate(random);

    @BeforeEach
    void consortium() throws Exception {
        Map<Integer, byte[]> kem = new TreeMap<>();
        for (int g = 1; g <= 4; g++) {
            kem.put(g, GatewaySecrets.generate(Files.createDirectories(dir.resolve("g" + g))));
        }
        secrets = GatewaySecrets.load(dir.resolve("g3"), 3, kem);
    }

    private byte[] random16() {
        byte[] r = new byte[16];
        random.nextBytes(r);
        return r;
    }

    private void join(int node, int gateway) {
        int set = Assignment.selectSet(ledger, gateway);
        ledger.add(node, set, gateway);
        entries.add(new RefreshEntry(entries.size() + 1, 0, Operation.JOIN, node, set, random16(), gateway, List.of()));
    }

    /** The removal transaction (its signatures do not matter here: the devices check them). */
    private RemovalEntry removal(long height, int removed) {
        return new RemovalEntry(height, 0, LedgerTx.sign(new ChangeRecord(Operation.REMOVE_GATEWAY, removed, 0,
                new byte[32], random16()), 1, null, signer).encode());
    }

    private KeyManager fed(List<RemovalEntry> removals) {
        KeyManager km = new KeyManager(3, secrets, signer);
        km.removals(removals);
        entries.forEach(km::apply);
        return km;
    }

    @Test
    void fullStateMessagesCarryTheRemovalsUpToTheirOperationAndNothingElseDoes() throws Exception {
        for (int i = 0; i < 8; i++) {
            join(100 + i, 1 + i % 4);
        }
        RemovalEntry earlier = removal(5, 4);   // a removal that moved no set of gateway 3's: no entry of its own
        RemovalEntry owner = removal(9, 2);
        RemovalEntry later = removal(12, 1);
        entries.add(new RefreshEntry(9, 0, Operation.REMOVE_GATEWAY, 2, 3, random16(), 1, List.of()));
        ledger.transferOwnership(2, 3);
        join(200, 3);

        KeyManager km = new KeyManager(3, secrets, signer);
        km.removals(List.of(earlier, owner));
        List<KeyManager.Outgoing> adoption = new ArrayList<>();
        List<KeyManager.Outgoing> afterwards = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            List<KeyManager.Outgoing> out = km.apply(entries.get(i));
            if (entries.get(i).operation() == Operation.REMOVE_GATEWAY) {
                adoption.addAll(out);
            } else if (i > 8) {
                afterwards.addAll(out);
            }
        }
        int adopted = 0;
        for (KeyManager.Outgoing o : adoption) {
            RekeyMessage m = RekeyMessage.decode(o.message());
            if (m.kind() == RekeyMessage.Kind.NODE) {
                adopted++;
                assertEquals(Topics.node(m.target()), o.topic());
                assertEquals(2, m.proofs().size(), "the earlier removal and the owner's, in ledger order");
                assertArrayEquals(earlier.tx(), m.proofs().get(0));
                assertArrayEquals(owner.tx(), m.proofs().get(1));
                assertTrue(m.verify(signer.publicKey()));
            } else {
                assertTrue(m.proofs().isEmpty(), "a SET message needs no proof");
            }
        }
        assertEquals(2, adopted, "gateway 2's two devices");
        for (KeyManager.Outgoing o : afterwards) {
            assertTrue(RekeyMessage.decode(o.message()).proofs().isEmpty(), "a join's messages carry none");
        }

        // the same history replayed at a restart, when the ledger also holds a later removal: the same bytes
        KeyManager replayed = fed(List.of(earlier, owner, later));
        KeyManager first = fed(List.of(earlier, owner));
        for (int node : List.of(101, 105)) {
            List<byte[]> a = first.catchUp(node, 8);
            List<byte[]> b = replayed.catchUp(node, 8);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i), "node " + node + " message " + i);
            }
        }
    }

    @Test
    void aCatchUpBelowTheArchiveCarriesTheRemovalsUpToTheLastOperation() throws Exception {
        for (int i = 0; i < 8; i++) {
            join(100 + i, 1 + i % 4);
        }
        RemovalEntry owner = removal(9, 2);
        entries.add(new RefreshEntry(9, 0, Operation.REMOVE_GATEWAY, 2, 3, random16(), 1, List.of()));
        ledger.transferOwnership(2, 3);
        for (int i = 0; i < 4; i++) {
            join(300 + i, 3);
        }
        KeyManager km = new KeyManager(3, secrets, signer, new RekeyArchive.Limits(2, Long.MAX_VALUE));
        km.removals(List.of(owner, removal(40, 1)));
        entries.forEach(km::apply);
        List<byte[]> answer = km.catchUp(101, 1);
        assertEquals(1, answer.size(), "a single full-state message");
        RekeyMessage full = RekeyMessage.decode(answer.get(0));
        assertEquals(13, full.seq());
        assertEquals(1, full.proofs().size(), "the removal before the last operation, not the one after it");
        assertArrayEquals(owner.tx(), full.proofs().get(0));
        assertEquals(KeyUpdate.Action.WIPE, full.open(KeySchedule.nodeKey(secrets.master(), 101)).get(0).action());
    }
}
