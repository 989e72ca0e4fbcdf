package chainkm.gateway.keys;

import chainkm.protocol.keys.Kdf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How a gateway derives every key it hands out, from its own master secret or from the
 * secret it shares with one other gateway, plus public ledger positions. Because the keys
 * are functions of (secret, ledger), the key manager rebuilds its whole state by replaying
 * the ledger after a restart, and two gateways that share a link compute the same key for it
 * without talking to each other, while no third gateway can.
 */
public final class KeySchedule {
    private KeySchedule() {}

    private static byte[] info(String label, long... values) {
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(l.length + 8 * values.length).put(l);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    private static byte[] derive(byte[] secret, String label, long... values) {
        return Kdf.derive(secret, null, info("chainkm/v1/" + label, values), Kdf.KEY_SIZE);
    }

    /** KEK between a device and its gateway. */
    public static byte[] nodeKey(byte[] master, int nodeId) {
        return derive(master, "node-key", nodeId);
    }

    /**
     * The KEK of a device after a renewal of its set at ledger operation {@code generation}
     * (0: never renewed, {@link #nodeKey(byte[], int)}). A separate derivation from the master
     * secret, not a function of the previous key: holding the old key tells nothing of this one.
     */
    public static byte[] nodeKey(byte[] master, int nodeId, long generation) {
        return generation == 0 ? nodeKey(master, nodeId) : derive(master, "node-key/renewed", nodeId, generation);
    }

    /** A set key that nobody could predict from earlier keys (a new set, or a set a member left). */
    public static byte[] freshSetKey(byte[] master, int setId, long seq) {
        return derive(master, "set-key", setId, seq);
    }

    /** The pairwise node key of two members of a set. */
    public static byte[] pairwiseNodeKey(byte[] master, int nodeA, int nodeB, int setId) {
        return derive(master, "pairwise-node-key", Math.min(nodeA, nodeB), Math.max(nodeA, nodeB), setId);
    }

    /** The pairwise node key of two members of a set renewed at ledger operation {@code generation} (0: never). */
    public static byte[] pairwiseNodeKey(byte[] master, int nodeA, int nodeB, int setId, long generation) {
        return generation == 0 ? pairwiseNodeKey(master, nodeA, nodeB, setId)
                : derive(master, "pairwise-node-key/renewed", Math.min(nodeA, nodeB), Math.max(nodeA, nodeB), setId,
                        generation);
    }

    /** A pairwise set key nobody could predict from earlier keys, from the owners' pair secret. */
    public static byte[] freshPairwiseSetKey(byte[] pairSecret, int setA, int setB, long seq) {
        return derive(pairSecret, "pairwise-set-key", Math.min(setA, setB), Math.max(setA, setB), seq);
    }

    /** The DTLS key gateway {@code other} uses as {@code gateway-<other>} to fetch relayed messages from this one. */
    public static byte[] relayPsk(GatewaySecrets secrets, int other) {
        int me = secrets.gatewayId();
        return derive(secrets.pairSecret(other), "relay-psk", Math.min(me, other), Math.max(me, other));
    }
}
