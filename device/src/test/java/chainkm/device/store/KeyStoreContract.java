package chainkm.device.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every {@link EditableKeyStore} must do; one subclass per implementation. */
abstract class KeyStoreContract {
    private static final Random RANDOM = new Random(42);

    protected AbstractKeyStore store;

    /** A new, empty store. */
    abstract AbstractKeyStore newStore() throws Exception;

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    static KeyMaterial material(KeyId id, long seq) {
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        return new KeyMaterial(id, key, seq);
    }

    @Test
    void startsEmpty() throws Exception {
        store = newStore();
        assertTrue(store.ids().isEmpty());
        assertEquals(0, store.size());
        assertEquals(0, store.seq());
        assertEquals(0, store.counter("d2d"));
        assertEquals(Optional.empty(), store.get(KeyId.nodeKey(1)));
    }

    @Test
    void putsGetsReplacesAndRemoves() throws Exception {
        store = newStore();
        KeyMaterial nk = material(KeyId.nodeKey(12), 1);
        store.put(nk);
        assertEquals(Optional.of(nk), store.get(KeyId.nodeKey(12)));
        KeyMaterial replacement = material(KeyId.nodeKey(12), 2);
        store.put(replacement);
        assertEquals(Optional.of(replacement), store.get(KeyId.nodeKey(12)));
        assertEquals(1, store.size());
        assertTrue(store.remove(KeyId.nodeKey(12)));
        assertFalse(store.remove(KeyId.nodeKey(12)));
        assertEquals(Optional.empty(), store.get(KeyId.nodeKey(12)));
    }

    @Test
    void listsIdsInKeyIdOrder() throws Exception {
        store = newStore();
        List<KeyId> sorted = List.of(KeyId.nodeKey(12), KeyId.setKey(3), KeyId.pairwiseNodeKey(5, 12),
                KeyId.pairwiseNodeKey(12, 40), KeyId.pairwiseSetKey(1, 3), KeyId.pairwiseSetKey(3, 7));
        store.edit(edit -> {
            for (int i = sorted.size() - 1; i >= 0; i--) {
                edit.put(material(sorted.get(i), 1));
            }
        });
        assertEquals(sorted, List.copyOf(store.ids()));
    }

    @Test
    void keepsItsOwnCopies() throws Exception {
        store = newStore();
        KeyMaterial nk = material(KeyId.nodeKey(1), 1);
        byte[] bytes = nk.key();
        store.put(nk);
        nk.destroy();
        KeyMaterial out = store.get(KeyId.nodeKey(1)).orElseThrow();
        assertArrayEquals(bytes, out.key());
        out.destroy();
        assertArrayEquals(bytes, store.get(KeyId.nodeKey(1)).orElseThrow().key());
        assertThrows(UnsupportedOperationException.class, () -> store.ids().clear());
        assertThrows(IllegalArgumentException.class, () -> store.put(nk), "destroyed material is refused");
    }

    @Test
    void recordsTheSeq() throws Exception {
        store = newStore();
        store.setSeq(17);
        assertEquals(17, store.seq());
        assertThrows(IllegalArgumentException.class, () -> store.setSeq(-1));
        assertEquals(17, store.seq());
    }

    @Test
    void editAppliesEverythingAtOnce() throws Exception {
        store = newStore();
        store.put(material(KeyId.setKey(1), 1));
        store.setSeq(1);
        store.edit(edit -> {
            edit.remove(KeyId.setKey(1));
            edit.put(material(KeyId.setKey(2), 2));
            edit.put(material(KeyId.pairwiseSetKey(2, 3), 2));
            edit.setSeq(2);
            assertEquals(List.of(KeyId.setKey(2), KeyId.pairwiseSetKey(2, 3)), List.copyOf(edit.ids()));
            assertEquals(2, edit.seq());
            assertEquals(1, store.seq(), "the store itself shows the committed state until the edit ends");
            assertTrue(store.get(KeyId.setKey(1)).isPresent());
        });
        assertEquals(List.of(KeyId.setKey(2), KeyId.pairwiseSetKey(2, 3)), List.copyOf(store.ids()));
        assertEquals(2, store.seq());
    }

    @Test
    void editIsAllOrNothingWhenTheChangeThrows() throws Exception {
        store = newStore();
        KeyMaterial sk = material(KeyId.setKey(1), 1);
        store.put(sk);
        store.setSeq(1);
        RuntimeException boom = new RuntimeException("rekey message half applied");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> store.edit(edit -> {
            edit.remove(KeyId.setKey(1));
            edit.put(material(KeyId.setKey(2), 2));
            edit.setSeq(2);
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals(List.of(KeyId.setKey(1)), List.copyOf(store.ids()));
        assertEquals(Optional.of(sk), store.get(KeyId.setKey(1)));
        assertEquals(1, store.seq());
    }

    @Test
    void theEditViewDiesWithTheEdit() throws Exception {
        store = newStore();
        AtomicReference<EditableKeyStore> kept = new AtomicReference<>();
        store.edit(kept::set);
        assertThrows(IllegalStateException.class, () -> kept.get().put(material(KeyId.nodeKey(1), 1)));
        assertThrows(IllegalStateException.class, () -> kept.get().ids());
        assertTrue(store.ids().isEmpty());
    }

    @Test
    void refusesChangesToTheStoreItselfAndCounterReservationsInsideAnEdit() throws Exception {
        store = newStore();
        store.edit(edit -> {
            assertThrows(IllegalStateException.class, () -> store.put(material(KeyId.nodeKey(1), 1)));
            assertThrows(IllegalStateException.class, () -> store.edit(e -> { }));
            assertThrows(IllegalStateException.class, () -> store.nextNonceCounter("d2d", 1));
            assertThrows(IllegalStateException.class, () -> edit.nextNonceCounter("d2d", 1));
            edit.edit(inner -> inner.put(material(KeyId.nodeKey(2), 1)));
        });
        assertEquals(List.of(KeyId.nodeKey(2)), List.copyOf(store.ids()));
        assertEquals(0, store.counter("d2d"));
    }

    @Test
    void reservesDisjointCounterBlocks() throws Exception {
        store = newStore();
        assertEquals(0, store.nextNonceCounter("d2d", 100));
        assertEquals(100, store.counter("d2d"));
        assertEquals(100, store.nextNonceCounter("d2d", 1));
        assertEquals(101, store.nextNonceCounter("d2d", 50));
        assertEquals(0, store.nextNonceCounter("other", 5), "counters are independent");
        assertEquals(151, store.counter("d2d"));
        assertThrows(IllegalArgumentException.class, () -> store.nextNonceCounter("d2d", 0));
        assertThrows(IllegalArgumentException.class, () -> store.nextNonceCounter("", 1));
        assertThrows(IllegalArgumentException.class, () -> store.nextNonceCounter("x".repeat(256), 1));
        assertEquals(151, store.counter("d2d"));
    }

    @Test
    void refusesToWrapACounter() {
        KeyStoreState nearlyExhausted = KeyStoreState.empty();
        nearlyExhausted.setCounter("d2d", Long.MAX_VALUE - 10);
        try (AbstractKeyStore base = new AbstractKeyStore(nearlyExhausted) {
            @Override
            void persist(KeyStoreState next) {
            }
        }) {
            assertEquals(Long.MAX_VALUE - 10, base.nextNonceCounter("d2d", 10));
            assertThrows(IllegalStateException.class, () -> base.nextNonceCounter("d2d", 1));
            assertEquals(Long.MAX_VALUE, base.counter("d2d"));
        }
    }

    @Test
    void isUnusableOnceClosed() throws Exception {
        store = newStore();
        store.put(material(KeyId.nodeKey(1), 1));
        store.close();
        assertThrows(IllegalStateException.class, () -> store.get(KeyId.nodeKey(1)));
        assertThrows(IllegalStateException.class, () -> store.put(material(KeyId.nodeKey(1), 1)));
        assertTrue(store.toString().contains("closed"));
    }

    @Test
    void toStringShowsNoKeyBytes() throws Exception {
        store = newStore();
        KeyMaterial nk = material(KeyId.nodeKey(1), 1);
        store.put(nk);
        String text = store.toString();
        assertFalse(text.contains(Hex.encode(nk.key())), text);
    }
}
