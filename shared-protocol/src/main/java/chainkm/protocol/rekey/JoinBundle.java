package chainkm.protocol.rekey;

import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.SecretCode;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a newcomer receives from its gateway once the ledger committed its join (inside the
 * DTLS session, never anywhere else): its identity, the commitment the ledger recorded for it
 * (the anchor of its rejoin chain, echoed so the device can check it), and every key it now
 * holds, already rolled forward past the join (so it cannot read older traffic). Big-endian:
 * version (1), gateway id (2), node id (4), set id (4), seq (8), commitment (32),
 * key count (2), then per key its {@link KeyId} and 16 bytes. All keys are labelled {@code seq}.
 */
public record JoinBundle(int gatewayId, int nodeId, int setId, long seq, byte[] commitment, List<KeyMaterial> keys) {
    public static final int VERSION = 1;

    public JoinBundle {
        commitment = commitment.clone();
        keys = List.copyOf(keys);
        if (commitment.length != SecretCode.SIZE) {
            throw new IllegalArgumentException("the commitment must be " + SecretCode.SIZE + " bytes");
        }
    }

    @Override
    public byte[] commitment() {
        return commitment.clone();
    }

    public byte[] encode() {
        int size = 1 + 2 + 4 + 4 + 8 + SecretCode.SIZE + 2
                + keys.stream().mapToInt(k -> k.id().encodedLength() + KeyMaterial.KEY_SIZE).sum();
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) VERSION).putShort((short) gatewayId).putInt(nodeId).putInt(setId).putLong(seq).put(commitment);
        out.putShort((short) keys.size());
        for (KeyMaterial k : keys) {
            k.id().encodeTo(out);
            byte[] bytes = k.key();
            out.put(bytes);
            java.util.Arrays.fill(bytes, (byte) 0);
        }
        return out.array();
    }

    public static JoinBundle decode(byte[] bytes) throws MessageFormatException {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != VERSION) {
                throw new MessageFormatException("unsupported join bundle version");
            }
            int gatewayId = Short.toUnsignedInt(in.getShort());
            int nodeId = in.getInt();
            int setId = in.getInt();
            long seq = in.getLong();
            byte[] secret = new byte[SecretCode.SIZE];
            in.get(secret);
            int count = Short.toUnsignedInt(in.getShort());
            List<KeyMaterial> keys = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                KeyId id = KeyId.decodeFrom(in);
                byte[] key = new byte[KeyMaterial.KEY_SIZE];
                in.get(key);
                keys.add(new KeyMaterial(id, key, seq));
            }
            if (in.hasRemaining()) {
                throw new MessageFormatException("bytes after the join bundle");
            }
            return new JoinBundle(gatewayId, nodeId, setId, seq, secret, keys);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MessageFormatException("malformed join bundle: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "JoinBundle[node " + nodeId + " in set " + setId + " at seq " + seq + ", " + keys.size() + " keys]";
    }
}
