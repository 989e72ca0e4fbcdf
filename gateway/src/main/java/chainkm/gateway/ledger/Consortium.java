package chainkm.gateway.ledger;

import chainkm.gateway.home.Genesis;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.Succession;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The gateways allowed to submit operations, with their Ed25519 public keys, as listed in
 * genesis under {@code app_state.gateways}:
 * <pre>{"gateways": [{"id": 1, "name": "gateway-1", "public_key": "&lt;base64&gt;"}, ...]}</pre>
 */
public final class Consortium {
    private final SortedMap<Integer, byte[]> keys;

    public Consortium(Map<Integer, byte[]> keys) {
        TreeMap<Integer, byte[]> copy = new TreeMap<>();
        keys.forEach((id, key) -> {
            if (key.length != Ed25519.PUBLIC_KEY_SIZE) {
                throw new IllegalArgumentException("gateway " + id + ": public key must be 32 bytes");
            }
            if (id < 0 || id > 0xFFFF) {
                throw new IllegalArgumentException("gateway id " + id + " does not fit in 16 bits");
            }
            copy.put(id, key.clone());
        });
        this.keys = Collections.unmodifiableSortedMap(copy);
    }

    /** The consortium InitChain's app_state lists (see {@link Genesis}). */
    public static Consortium fromAppState(byte[] appStateJson) {
        return new Consortium(Genesis.fromAppState(appStateJson).publicKeys());
    }

    /** The gateway's public key, or null when it is not a member. */
    public byte[] publicKey(int gatewayId) {
        byte[] key = keys.get(gatewayId);
        return key == null ? null : key.clone();
    }

    public boolean contains(int gatewayId) {
        return keys.containsKey(gatewayId);
    }

    public SortedMap<Integer, byte[]> keys() {
        return keys;
    }

    public int size() {
        return keys.size();
    }

    /**
     * Who adopts the sets of a gateway leaving the consortium: the next gateway id after it
     * among the others, wrapping around ({@link Succession}; devices that lose their gateway
     * try that one first).
     */
    public int successorOf(int gatewayId) {
        return Succession.successorOf(keys.keySet(), gatewayId); // the rule devices check adoptions against
    }

    /** The consortium without {@code gatewayId}. */
    Consortium without(int gatewayId) {
        TreeMap<Integer, byte[]> rest = new TreeMap<>(keys);
        rest.remove(gatewayId);
        return new Consortium(rest);
    }

    void encodeTo(StateWriter out) {
        out.putInt(keys.size());
        keys.forEach((id, key) -> {
            out.putInt(id);
            out.put(key);
        });
    }

    static Consortium decodeFrom(ByteBuffer in) {
        int count = in.getInt();
        TreeMap<Integer, byte[]> keys = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            int id = in.getInt();
            byte[] key = new byte[Ed25519.PUBLIC_KEY_SIZE];
            in.get(key);
            keys.put(id, key);
        }
        return new Consortium(keys);
    }
}
