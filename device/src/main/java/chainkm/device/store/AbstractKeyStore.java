package chainkm.device.store;

import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Consumer;

/**
 * The logic both stores share: a committed state replaced as a whole (copy, change, persist,
 * swap), so that a failed change or a failed write leaves it untouched. Subclasses only say how
 * a new state is made durable.
 */
abstract class AbstractKeyStore implements EditableKeyStore, AutoCloseable {
    private KeyStoreState state;
    private boolean editing;
    private boolean closed;

    AbstractKeyStore(KeyStoreState initial) {
        this.state = initial;
    }

    /** Makes next durable, or throws and leaves the previous state durable. */
    abstract void persist(KeyStoreState next) throws IOException;

    /** Called once by {@link #close()}, after the keys are zeroed. */
    void release() throws IOException {}

    @Override
    public synchronized Optional<KeyMaterial> get(KeyId id) {
        checkOpen();
        return state.get(Objects.requireNonNull(id, "id"));
    }

    @Override
    public synchronized SortedSet<KeyId> ids() {
        checkOpen();
        return state.ids();
    }

    @Override
    public synchronized int size() {
        checkOpen();
        return state.size();
    }

    @Override
    public synchronized long seq() {
        checkOpen();
        return state.seq();
    }

    @Override
    public synchronized long counter(String name) {
        checkOpen();
        return state.counter(name);
    }

    @Override
    public void put(KeyMaterial key) {
        Objects.requireNonNull(key, "key");
        edit(edit -> edit.put(key));
    }

    @Override
    public boolean remove(KeyId id) {
        Objects.requireNonNull(id, "id");
        boolean[] removed = new boolean[1];
        edit(edit -> removed[0] = edit.remove(id));
        return removed[0];
    }

    @Override
    public void setSeq(long seq) {
        edit(edit -> edit.setSeq(seq));
    }

    @Override
    public void setValue(String name, long value) {
        edit(edit -> edit.setValue(name, value));
    }

    @Override
    public synchronized long nextNonceCounter(String name, int reserve) {
        checkOpen();
        checkNotEditing();
        if (reserve < 1) {
            throw new IllegalArgumentException("reserve at least one counter value");
        }
        long first = state.counter(name);
        long mark;
        try {
            mark = Math.addExact(first, reserve);
        } catch (ArithmeticException e) {
            throw new IllegalStateException("counter " + name + " is exhausted");
        }
        KeyStoreState next = state.copy();
        next.setCounter(name, mark);
        commit(next);
        return first;
    }

    @Override
    public synchronized void edit(Consumer<EditableKeyStore> changes) {
        Objects.requireNonNull(changes, "changes");
        checkOpen();
        checkNotEditing();
        KeyStoreState next = state.copy();
        Edit edit = new Edit(next);
        editing = true;
        boolean applied = false;
        try {
            changes.accept(edit);
            applied = true;
        } finally {
            edit.finished = true;
            editing = false;
            if (!applied) {
                next.destroyKeysNotIn(state);
            }
        }
        commit(next);
    }

    private void commit(KeyStoreState next) {
        try {
            persist(next);
        } catch (IOException e) {
            next.destroyKeysNotIn(state);
            throw new UncheckedIOException("key store not changed: " + e.getMessage(), e);
        }
        KeyStoreState previous = state;
        state = next;
        previous.destroyKeysNotIn(next);
    }

    /** Zeroes the keys held in memory; the store cannot be used afterwards. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        state.destroy();
        try {
            release();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Extra words for toString, e.g. the file. */
    String where() {
        return "";
    }

    @Override
    public synchronized String toString() {
        return getClass().getSimpleName() + "[" + (closed ? "closed" : state.size() + " keys, seq " + state.seq())
                + where() + "]";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("key store is closed");
        }
    }

    private void checkNotEditing() {
        if (editing) {
            throw new IllegalStateException("inside edit(): change the store passed to it, and reserve counters outside");
        }
    }

    /** The working copy handed to {@link #edit}; dead once the edit returns. */
    private static final class Edit implements EditableKeyStore {
        private final KeyStoreState next;
        private boolean finished;

        Edit(KeyStoreState next) {
            this.next = next;
        }

        private KeyStoreState state() {
            if (finished) {
                throw new IllegalStateException("this edit is over");
            }
            return next;
        }

        @Override
        public Optional<KeyMaterial> get(KeyId id) {
            return state().get(Objects.requireNonNull(id, "id"));
        }

        @Override
        public SortedSet<KeyId> ids() {
            return state().ids();
        }

        @Override
        public int size() {
            return state().size();
        }

        @Override
        public long seq() {
            return state().seq();
        }

        @Override
        public long counter(String name) {
            return state().counter(name);
        }

        @Override
        public void put(KeyMaterial key) {
            state().put(Objects.requireNonNull(key, "key"));
        }

        @Override
        public boolean remove(KeyId id) {
            return state().remove(Objects.requireNonNull(id, "id"));
        }

        @Override
        public void setSeq(long seq) {
            state().setSeq(seq);
        }

        @Override
        public void setValue(String name, long value) {
            state().setCounter(name, value);
        }

        @Override
        public long nextNonceCounter(String name, int reserve) {
            state();
            throw new IllegalStateException("reserve counters outside edit(): they must be durable before use");
        }

        @Override
        public void edit(Consumer<EditableKeyStore> changes) {
            state();
            changes.accept(this);
        }

        @Override
        public String toString() {
            return "KeyStore.Edit[" + (finished ? "finished" : next.size() + " keys") + "]";
        }
    }
}
