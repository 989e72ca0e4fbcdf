package chainkm.device.keys;

import chainkm.device.store.EditableKeyStore;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.Kdf;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A device that slept through {@code n} joins into its set, the same in every process: node 12 of
 * set 3 on gateway 1, joined at seq 5 with about 2√n keys for n ≈ 900 (30 peers in its set, 30
 * other sets); then one SET message per join, each rolling one pairwise set key forward and
 * replacing one pairwise node key, as a member's share of a join looks. Key values are derived
 * from fixed labels, so two processes reach the same keys (the messages' nonces differ, the keys
 * they carry do not).
 */
final class CatchUpScenario {
    static final int NODE = 12;
    static final int SET = 3;
    static final int GATEWAY = 1;
    static final long JOINED_AT = 5;
    private static final int PEERS = 30;
    private static final int OTHER_SETS = 30;

    static final Ed25519.KeyPair SIGNER = Ed25519.KeyPair.fromPrivateKey(value("gateway signing key", 32));

    private CatchUpScenario() {}

    static byte[] value(String label, int size) {
        return Kdf.derive("catch-up scenario".getBytes(StandardCharsets.UTF_8), null, label, size);
    }

    static DeviceKeys device(EditableKeyStore store) {
        return new DeviceKeys(store, Map.of(GATEWAY, SIGNER.publicKey()), Duration.ofSeconds(30), Clock.systemUTC());
    }

    static JoinBundle bundle() {
        List<KeyMaterial> keys = new ArrayList<>();
        keys.add(new KeyMaterial(KeyId.nodeKey(NODE), value("node key", 16), JOINED_AT));
        keys.add(new KeyMaterial(KeyId.setKey(SET), value("set key", 16), JOINED_AT));
        for (int p = 0; p < PEERS; p++) {
            keys.add(new KeyMaterial(KeyId.pairwiseNodeKey(NODE, peer(p)), value("pnk " + p, 16), JOINED_AT));
        }
        for (int s = 0; s < OTHER_SETS; s++) {
            keys.add(new KeyMaterial(KeyId.pairwiseSetKey(SET, otherSet(s)), value("psk " + s, 16), JOINED_AT));
        }
        return new JoinBundle(GATEWAY, NODE, SET, JOINED_AT, new byte[32], keys);
    }

    private static int peer(int p) {
        return 1_000 + p;
    }

    private static int otherSet(int s) {
        return 100 + s;
    }

    /** The messages of seq JOINED_AT + 1 to JOINED_AT + n, in order. */
    static List<byte[]> missed(int n) {
        List<byte[]> out = new ArrayList<>(n);
        byte[] kek = value("set key", 16);
        for (int i = 1; i <= n; i++) {
            long seq = JOINED_AT + i;
            List<KeyUpdate> updates = List.of(
                    KeyUpdate.roll(KeyId.pairwiseSetKey(SET, otherSet(i % OTHER_SETS))),
                    KeyUpdate.put(KeyId.pairwiseNodeKey(NODE, peer(i % PEERS)), value("pnk at " + seq, 16), false));
            RekeyMessage.Header h = new RekeyMessage.Header(RekeyMessage.Kind.SET, GATEWAY, seq, SET, Operation.JOIN,
                    peer(i % PEERS), SET, value("refresh " + seq, 16), List.of());
            out.add(RekeyMessage.seal(h, updates, kek, SIGNER).encode());
        }
        return out;
    }
}
