package chainkm.device.keys;

import static chainkm.device.keys.CatchUpScenario.JOINED_AT;
import static chainkm.device.keys.CatchUpScenario.NODE;
import static chainkm.device.keys.CatchUpScenario.SET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.store.EditableKeyStore;
import chainkm.device.store.InMemoryKeyStore;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A catch-up applied as one batch: one write, the same keys as one by one, all or nothing per message. */
class DeviceKeysCatchUpTest {
    private final CountingStore store = new CountingStore();
    private final DeviceKeys keys = CatchUpScenario.device(store);

    /** An in-memory store that counts its durable writes. */
    static final class CountingStore implements EditableKeyStore {
        final InMemoryKeyStore inner = new InMemoryKeyStore();
        int writes;

        @Override
        public Optional<KeyMaterial> get(KeyId id) {
            return inner.get(id);
        }

        @Override
        public SortedSet<KeyId> ids() {
            return inner.ids();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public long seq() {
            return inner.seq();
        }

        @Override
        public long counter(String name) {
            return inner.counter(name);
        }

        @Override
        public void put(KeyMaterial key) {
            edit(e -> e.put(key));
        }

        @Override
        public boolean remove(KeyId id) {
            boolean[] removed = new boolean[1];
            edit(e -> removed[0] = e.remove(id));
            return removed[0];
        }

        @Override
        public void setSeq(long seq) {
            edit(e -> e.setSeq(seq));
        }

        @Override
        public void setValue(String name, long value) {
            edit(e -> e.setValue(name, value));
        }

        @Override
        public long nextNonceCounter(String name, int reserve) {
            writes++;
            return inner.nextNonceCounter(name, reserve);
        }

        @Override
        public void edit(Consumer<EditableKeyStore> changes) {
            inner.edit(changes);
            writes++; // reached only when the edit was written
        }
    }

    @BeforeEach
    void joined() {
        keys.install(CatchUpScenario.bundle());
        store.writes = 0;
    }

    private static DeviceKeys oneByOne(List<byte[]> messages) {
        DeviceKeys reference = CatchUpScenario.device(new InMemoryKeyStore());
        reference.install(CatchUpScenario.bundle());
        for (byte[] m : messages) {
            DeviceKeys.Result r = reference.apply(m);
            assertEquals(DeviceKeys.Outcome.APPLIED, r.outcome(), r.reason());
        }
        return reference;
    }

    private static void assertSameKeys(DeviceKeys expected, DeviceKeys actual) {
        assertEquals(expected.seq(), actual.seq());
        assertEquals(expected.keyIds(), actual.keyIds());
        for (KeyId id : expected.keyIds()) {
            assertArrayEquals(expected.current(id).orElseThrow().key(), actual.current(id).orElseThrow().key(), id.toString());
            assertEquals(expected.current(id).orElseThrow().seq(), actual.current(id).orElseThrow().seq(), id.toString());
        }
    }

    private static List<DeviceKeys.Outcome> outcomes(List<DeviceKeys.Result> results) {
        return results.stream().map(DeviceKeys.Result::outcome).toList();
    }

    private static byte[] setMessage(long seq, List<KeyUpdate> updates, Ed25519.KeyPair signer) {
        RekeyMessage.Header h = new RekeyMessage.Header(RekeyMessage.Kind.SET, CatchUpScenario.GATEWAY, seq, SET,
                Operation.JOIN, 5_000, SET, CatchUpScenario.value("refresh " + seq, 16), List.of());
        return RekeyMessage.seal(h, updates, CatchUpScenario.value("set key", 16), signer).encode();
    }

    @Test
    void aCatchUpIsOneWriteAndEndsWhereOneByOneEnds() {
        List<byte[]> missed = CatchUpScenario.missed(40);
        List<DeviceKeys.Result> results = keys.applyAll(missed);
        assertEquals(40, results.size());
        assertTrue(results.stream().allMatch(r -> r.outcome() == DeviceKeys.Outcome.APPLIED), results.toString());
        assertEquals(1, store.writes, "one durable write for the whole catch-up");
        assertEquals(JOINED_AT + 40, keys.seq());
        assertSameKeys(oneByOne(missed), keys);
    }

    @Test
    void aRolledKeyKeepsItsValueBeforeTheCatchUpForTheGracePeriod() {
        KeyId rolled = KeyId.pairwiseSetKey(SET, 101); // message 1 rolls it forward
        keys.applyAll(CatchUpScenario.missed(3));
        assertArrayEquals(CatchUpScenario.value("psk 1", 16), keys.atSeq(rolled, JOINED_AT).orElseThrow().key(),
                "a D2D message in flight under the value before the catch-up is still readable");
    }

    @Test
    void aForgedMessageStopsTheCatchUpWithTheMessagesBeforeItAppliedInOneWrite() {
        List<byte[]> missed = new ArrayList<>(CatchUpScenario.missed(10));
        Ed25519.KeyPair forger = Ed25519.KeyPair.generate(new SecureRandom());
        missed.set(5, setMessage(JOINED_AT + 6, List.of(KeyUpdate.put(KeyId.setKey(SET), new byte[16], false)), forger));
        List<DeviceKeys.Result> results = keys.applyAll(missed);
        assertEquals(List.of(DeviceKeys.Outcome.APPLIED, DeviceKeys.Outcome.APPLIED, DeviceKeys.Outcome.APPLIED,
                DeviceKeys.Outcome.APPLIED, DeviceKeys.Outcome.APPLIED, DeviceKeys.Outcome.REFUSED), outcomes(results));
        assertTrue(results.get(5).reason().contains("bad signature"), results.get(5).reason());
        assertEquals(1, store.writes);
        assertEquals(JOINED_AT + 5, keys.seq(), "nothing from the forged message on");
        assertSameKeys(oneByOne(missed.subList(0, 5)), keys);
    }

    @Test
    void aMessageThatDoesNotFitTheKeysIsRefusedWholeAndThoseBeforeItStay() {
        List<byte[]> missed = new ArrayList<>(CatchUpScenario.missed(6));
        KeyId planted = KeyId.pairwiseNodeKey(NODE, 7_777);
        // genuine, but its second update rolls a key this device never had: the first must not stay either
        missed.set(3, setMessage(JOINED_AT + 4, List.of(KeyUpdate.put(planted, new byte[16], false),
                KeyUpdate.roll(KeyId.pairwiseSetKey(SET, 999))), CatchUpScenario.SIGNER));
        List<DeviceKeys.Result> results = keys.applyAll(missed);
        assertEquals(List.of(DeviceKeys.Outcome.APPLIED, DeviceKeys.Outcome.APPLIED, DeviceKeys.Outcome.APPLIED,
                DeviceKeys.Outcome.REFUSED), outcomes(results));
        assertTrue(results.get(3).reason().startsWith("rekey message cannot be applied"), results.get(3).reason());
        assertEquals(JOINED_AT + 4, results.get(3).seq());
        assertEquals(JOINED_AT + 3, keys.seq());
        assertTrue(keys.current(planted).isEmpty(), "half of the refused message was kept");
        assertSameKeys(oneByOne(missed.subList(0, 3)), keys);
    }

    @Test
    void nothingIsWrittenWhenNothingApplies() {
        List<byte[]> missed = CatchUpScenario.missed(5);
        keys.applyAll(missed);
        store.writes = 0;
        List<DeviceKeys.Result> again = keys.applyAll(missed);
        assertTrue(again.stream().allMatch(r -> r.outcome() == DeviceKeys.Outcome.DUPLICATE), again.toString());
        assertEquals(0, store.writes);
        assertEquals(List.of(), keys.applyAll(List.of()));
        assertEquals(0, store.writes);
    }
}
