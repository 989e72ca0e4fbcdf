package chainkm.device.store;

/**
 * A key store that lives and dies with the process: for tests and simulated devices. Same
 * semantics as {@link FileKeyStore}, including all-or-nothing {@link #edit}.
 */
public final class InMemoryKeyStore extends AbstractKeyStore {
    public InMemoryKeyStore() {
        super(KeyStoreState.empty());
    }

    @Override
    void persist(KeyStoreState next) {
        // nothing to write
    }
}
