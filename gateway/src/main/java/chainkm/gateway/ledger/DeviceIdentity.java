package chainkm.gateway.ledger;

import chainkm.protocol.crypto.Ed25519;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A device identity as the ledger holds it: its name, where it stands, its current public key
 * (the one-time enrollment key while {@link State#ENROLLED}, then the key the device generated
 * itself), the gateway that enrolled it, the height of its last change, and its node id (while
 * a member; for a revoked identity, the node it left as; 0 if it never joined).
 */
public record DeviceIdentity(String name, State state, byte[] key, int enrolledBy, long height, int node) {
    /** Where an identity stands; codes are part of the state file format. */
    public enum State {
        /** Enrolled by a gateway with the enrollment key of the device's bundle. */
        ENROLLED(1),
        /** The device replaced the enrollment key with its own identity key. */
        ACTIVE(2),
        /** It left or was evicted: nothing it signs counts any more; only a new enrollment brings the name back. */
        REVOKED(3);

        private final int code;

        State(int code) {
            this.code = code;
        }

        static State fromCode(int code) {
            for (State s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalArgumentException("identity state code " + code);
        }
    }

    public DeviceIdentity {
        key = key.clone();
        if (key.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("an identity key is a 32-byte Ed25519 public key");
        }
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    boolean keyEquals(byte[] other) {
        return Arrays.equals(key, other);
    }

    /** True once it joined: a member now, or one that left or was evicted (a name joins once per enrollment). */
    public boolean everJoined() {
        return node != 0 || state == State.REVOKED;
    }

    DeviceIdentity activated(byte[] identityKey, long atHeight) {
        return new DeviceIdentity(name, State.ACTIVE, identityKey, enrolledBy, atHeight, node);
    }

    DeviceIdentity joined(int nodeId, long atHeight) {
        return new DeviceIdentity(name, state, key, enrolledBy, atHeight, nodeId);
    }

    DeviceIdentity revoked(long atHeight) {
        return new DeviceIdentity(name, State.REVOKED, key, enrolledBy, atHeight, node);
    }

    void encodeTo(StateWriter out) {
        out.putByte(name.length());
        out.put(name.getBytes(StandardCharsets.US_ASCII));
        out.putByte(state.code);
        out.put(key);
        out.putInt(enrolledBy);
        out.putLong(height);
        out.putInt(node);
    }

    static DeviceIdentity decodeFrom(ByteBuffer in) {
        String name = readName(in);
        State state = State.fromCode(in.get());
        byte[] key = new byte[Ed25519.PUBLIC_KEY_SIZE];
        in.get(key);
        return new DeviceIdentity(name, state, key, in.getInt(), in.getLong(), in.getInt());
    }

    /** A name as the state file stores it: length (1 byte), ASCII. */
    static String readName(ByteBuffer in) {
        byte[] b = new byte[Byte.toUnsignedInt(in.get())];
        in.get(b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceIdentity d && name.equals(d.name) && state == d.state && Arrays.equals(key, d.key)
                && enrolledBy == d.enrolledBy && height == d.height && node == d.node;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(key);
    }

    /** Never prints the key (public, but long and useless in a log line). */
    @Override
    public String toString() {
        return "identity " + name + " (" + state.name().toLowerCase() + (node != 0 ? ", node " + node : "") + ")";
    }
}
