package chainkm.gateway.ledger;

import java.io.ByteArrayOutputStream;

/** A growable big-endian byte writer for the ledger's canonical state encoding. */
final class StateWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);

    void put(byte[] bytes) {
        out.writeBytes(bytes);
    }

    void putByte(int b) {
        out.write(b);
    }

    void putInt(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    /** Length-prefixed bytes. */
    void putBlob(byte[] bytes) {
        putInt(bytes.length);
        put(bytes);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
