package chainkm.device.store;

class InMemoryKeyStoreTest extends KeyStoreContract {
    @Override
    AbstractKeyStore newStore() {
        return new InMemoryKeyStore();
    }
}
