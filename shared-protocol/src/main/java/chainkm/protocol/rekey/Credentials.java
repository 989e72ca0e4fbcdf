package chainkm.protocol.rekey;

import chainkm.protocol.keys.Kdf;

/** Credentials both a device and its gateway derive the same way. */
public final class Credentials {
    private Credentials() {}

    /** The DTLS pre-shared key of a joined device (identity {@code node-<id>}), from its node key. */
    public static byte[] dtlsPsk(byte[] nodeKey) {
        return Kdf.derive(nodeKey, null, "chainkm/v1/dtls-psk", Kdf.KEY_SIZE);
    }

    /** The DTLS pre-shared key of a provisioned device (identity {@code boot-<name>}), from the consortium's provisioning secret. */
    public static byte[] bootstrapPsk(byte[] provisioningSecret, String identity) {
        return Kdf.derive(provisioningSecret, null, "chainkm/v1/bootstrap/" + identity, Kdf.KEY_SIZE);
    }

    /** The key a device's key store is encrypted under, from its bootstrap credential. */
    public static byte[] storageKey(byte[] bootstrapPsk) {
        return Kdf.derive(bootstrapPsk, null, "chainkm/v1/key-store", Kdf.KEY_SIZE);
    }
}
