package chainkm.protocol.rekey;

import chainkm.protocol.keys.Kdf;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One instruction of a rekey message, applied by the device in order:
 * <ul>
 *   <li>{@code PUT id key}: store this value (a fresh key, or a new link);</li>
 *   <li>{@code ROLL id}: K' = KDF(K, refresh key) with the operation's refresh key (the paper's
 *       roll-forward on a join: the newcomer gets K' and cannot go back to K);</li>
 *   <li>{@code DELETE id}: forget the key (a leaver's link, a dissolved set);</li>
 *   <li>{@code SET s}: the device now belongs to set s (Reorder moved it);</li>
 *   <li>{@code WIPE}: forget every key but the node key (before a moved device gets its new set's keys).</li>
 * </ul>
 * {@code grace}: the receiver may keep accepting the previous value for a short while (true for
 * join roll-forwards, false whenever a leaver knew the previous value).
 */
public record KeyUpdate(Action action, KeyId id, byte[] key, int setId, boolean grace) {
    public enum Action {
        PUT(1), ROLL(2), DELETE(3), SET(4), WIPE(5);

        final int code;

        Action(int code) {
            this.code = code;
        }

        static Action of(int code) throws MessageFormatException {
            for (Action a : values()) {
                if (a.code == code) {
                    return a;
                }
            }
            throw new MessageFormatException("unknown key update action " + code);
        }
    }

    public KeyUpdate {
        Objects.requireNonNull(action, "action");
        if ((action == Action.PUT) != (key != null)) {
            throw new IllegalArgumentException("PUT and only PUT carries key bytes");
        }
        if (key != null && key.length != KeyMaterial.KEY_SIZE) {
            throw new IllegalArgumentException("keys are " + KeyMaterial.KEY_SIZE + " bytes");
        }
        if ((action == Action.PUT || action == Action.ROLL || action == Action.DELETE) && id == null) {
            throw new IllegalArgumentException(action + " needs a key id");
        }
        key = key == null ? null : key.clone();
    }

    /**
     * The roll-forward both sides compute for a ROLL: K' = KDF(K, r), labelled with the key's
     * canonical id so that keys rolled with the same r stay distinct.
     */
    public static byte[] rolled(KeyId id, byte[] key, byte[] refreshKey) {
        return Kdf.rollForward(key, refreshKey, id.toString());
    }

    public static KeyUpdate put(KeyId id, byte[] key, boolean grace) {
        return new KeyUpdate(Action.PUT, id, key, 0, grace);
    }

    public static KeyUpdate roll(KeyId id) {
        return new KeyUpdate(Action.ROLL, id, null, 0, true);
    }

    public static KeyUpdate delete(KeyId id) {
        return new KeyUpdate(Action.DELETE, id, null, 0, false);
    }

    public static KeyUpdate set(int setId) {
        return new KeyUpdate(Action.SET, null, null, setId, false);
    }

    public static KeyUpdate wipe() {
        return new KeyUpdate(Action.WIPE, null, null, 0, false);
    }

    @Override
    public byte[] key() {
        return key == null ? null : key.clone();
    }

    void encodeTo(ByteBuffer out) {
        out.put((byte) action.code);
        switch (action) {
            case PUT -> {
                id.encodeTo(out);
                out.put(key);
                out.put((byte) (grace ? 1 : 0));
            }
            case ROLL, DELETE -> id.encodeTo(out);
            case SET -> out.putInt(setId);
            case WIPE -> { }
        }
    }

    int encodedLength() {
        return 1 + switch (action) {
            case PUT -> id.encodedLength() + KeyMaterial.KEY_SIZE + 1;
            case ROLL, DELETE -> id.encodedLength();
            case SET -> 4;
            case WIPE -> 0;
        };
    }

    static KeyUpdate decodeFrom(ByteBuffer in) throws MessageFormatException {
        try {
            Action action = Action.of(Byte.toUnsignedInt(in.get()));
            return switch (action) {
                case PUT -> {
                    KeyId id = KeyId.decodeFrom(in);
                    byte[] key = new byte[KeyMaterial.KEY_SIZE];
                    in.get(key);
                    int grace = Byte.toUnsignedInt(in.get());
                    if (grace > 1) {
                        // one update has one encoding: a flag is 0 or 1
                        throw new MessageFormatException("bad key update: PUT grace flag " + grace + ", not 0 or 1");
                    }
                    yield new KeyUpdate(action, id, key, 0, grace == 1);
                }
                case ROLL, DELETE -> new KeyUpdate(action, KeyId.decodeFrom(in), null, 0, action == Action.ROLL);
                case SET -> set(in.getInt());
                case WIPE -> wipe();
            };
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new MessageFormatException("bad key update: " + e.getMessage());
        }
    }

    /** Never prints key bytes. */
    @Override
    public String toString() {
        return switch (action) {
            case PUT -> "PUT " + id;
            case ROLL, DELETE -> action + " " + id;
            case SET -> "SET " + setId;
            case WIPE -> "WIPE";
        };
    }
}
