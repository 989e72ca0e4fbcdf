package chainkm.protocol.cose;

import chainkm.protocol.keys.AuthenticationException;
import java.util.Arrays;

/**
 * A protected object (OSCAR, as IoTChain uses it): a reading of a device's resource encrypted
 * under the resource group's session key K_j, as a tagged COSE_Encrypt0 (version 1):
 * <pre>
 *   16([ h'a1010a'  (protected: {1: 10}, AES-CCM-16-64-128),
 *        {4: kid = j, 5: IV},
 *        ciphertext = AES-CCM(K_j, IV, Enc_structure, reading) ])
 *   kid = the session number j, big-endian without leading zero bytes (1 to 8 bytes; j = 0 is h'00')
 *   IV  = the object's sequence number s as a 13-byte big-endian integer (the first 5 bytes zero)
 *   external_aad = the resource's ({@link ProtectedResource#externalAad()})
 * </pre>
 * The sequence number comes from the device's {@link NonceSource}: it never repeats over the
 * device's life, so no (K_j, IV) pair is used twice, whatever session, resource or reboot. One
 * group key has one sender, the device that serves the resource; the key server never gives the
 * same K_j to two devices. Clients use s to refuse replays: an object is new only if its s is
 * above the last s they accepted from that resource.
 *
 * <p>Why the full 13-byte IV and not a Partial IV with a Context IV (RFC 9052 section 3.1), 10
 * bytes shorter: a stock COSE decoder opens the object with the key alone (interop, issue 14),
 * and the sequence number is in plain sight for clients and proxies without any agreed context.
 *
 * <p>The tag proves only that a holder of K_j made the object: the device, or any member of
 * the group. Origin (this device) is proven by {@link SignedObject}.
 */
public final class ProtectedObject {
    public static final long MAX_SEQUENCE = Long.MAX_VALUE;
    public static final long MAX_SESSION = Long.MAX_VALUE;
    /** The largest reading sealed (about 16 CoAP blocks of 1 kB). */
    public static final int MAX_READING_SIZE = 16_384;

    private static final byte[] PROTECTED = CoseHeaders.EMPTY.withAlg(CoseEncrypt0.AES_CCM_16_64_128).encodeProtected();
    private static final int SEQUENCE_OFFSET = CoseEncrypt0.IV_SIZE - Long.BYTES;
    private static final String WHAT = "protected object";

    private final long session;
    private final long sequence;
    private final CoseEncrypt0 message;

    private ProtectedObject(long session, long sequence, CoseEncrypt0 message) {
        this.session = session;
        this.sequence = sequence;
        this.message = message;
    }

    /**
     * Seals a reading of resource under the session key K_j of session j, taking the object's
     * sequence number from nonces.
     *
     * @throws IllegalArgumentException on a key that is not 16 bytes, a negative session, or a reading above {@link #MAX_READING_SIZE}
     * @throws IllegalStateException when nonces cannot give a fresh number (nothing is sealed)
     */
    public static ProtectedObject seal(ProtectedResource resource, long session, byte[] groupKey, NonceSource nonces,
                                       byte[] reading) {
        if (session < 0) {
            throw new IllegalArgumentException("a session number is not negative");
        }
        if (reading.length > MAX_READING_SIZE) {
            throw new IllegalArgumentException("a reading is at most " + MAX_READING_SIZE + " bytes");
        }
        if (groupKey == null || groupKey.length != CoseEncrypt0.KEY_SIZE) {
            throw new IllegalArgumentException("a group session key is " + CoseEncrypt0.KEY_SIZE + " bytes");
        }
        long sequence = nonces.next();
        if (sequence < 0) {
            throw new IllegalStateException("the nonce source gave a negative sequence number");
        }
        CoseEncrypt0 m = CoseEncrypt0.encrypt(groupKey, iv(sequence), kid(session), resource.externalAad(), reading);
        return new ProtectedObject(session, sequence, m);
    }

    /**
     * Opens the object with the key of its session ({@link #session()}).
     *
     * @throws AuthenticationException when it does not authenticate under this key and resource:
     *         another session's key, another resource or device, or a modified object
     */
    public byte[] open(ProtectedResource resource, byte[] groupKey) throws AuthenticationException {
        try {
            return message.decrypt(groupKey, resource.externalAad());
        } catch (CoseFormatException e) {
            throw new IllegalStateException("a decoded protected object always carries its IV");
        }
    }

    /** The tagged COSE_Encrypt0 (CoAP Content-Format 16). */
    public byte[] encode() {
        return message.encodeTagged();
    }

    /**
     * Decodes a protected object: a tagged COSE_Encrypt0 with exactly the headers above.
     * Nothing is decrypted: a proxy reads session and sequence number without any key.
     */
    public static ProtectedObject decode(byte[] bytes) throws CoseFormatException {
        if (bytes == null || bytes.length == 0 || (bytes[0] & 0xff) != 0xc0 + CoseEncrypt0.TAG) {
            throw new CoseFormatException(WHAT + ": not a tagged COSE_Encrypt0 (CBOR tag 16)");
        }
        CoseEncrypt0 m = CoseEncrypt0.decode(bytes);
        if (!Arrays.equals(m.protectedBytes(), PROTECTED)) {
            throw new CoseFormatException(WHAT + ": the protected header is not {1: 10}");
        }
        CoseHeaders u = m.unprotectedHeaders();
        if (u.kid() == null || u.iv() == null) {
            throw new CoseFormatException(WHAT + ": needs a kid (the session) and a full IV");
        }
        if (m.ciphertext().length > MAX_READING_SIZE + CoseEncrypt0.TAG_SIZE) {
            throw new CoseFormatException(WHAT + ": a reading above " + MAX_READING_SIZE + " bytes");
        }
        return new ProtectedObject(sessionOf(u.kid()), sequenceOf(u.iv()), m);
    }

    /** The kid of session j: j big-endian, without leading zero bytes. */
    static byte[] kid(long session) {
        int size = Math.max(1, Long.BYTES - Long.numberOfLeadingZeros(session) / 8);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = (byte) (session >>> (8 * (size - 1 - i)));
        }
        return out;
    }

    private static long sessionOf(byte[] kid) throws CoseFormatException {
        if (kid.length > Long.BYTES || (kid.length > 1 && kid[0] == 0) || (kid.length == Long.BYTES && kid[0] < 0)) {
            throw new CoseFormatException(WHAT + ": the kid is not a session number (1 to 8 bytes, no leading zero)");
        }
        long j = 0;
        for (byte b : kid) {
            j = j << 8 | (b & 0xff);
        }
        return j;
    }

    static byte[] iv(long sequence) {
        byte[] out = new byte[CoseEncrypt0.IV_SIZE];
        for (int i = 0; i < Long.BYTES; i++) {
            out[SEQUENCE_OFFSET + i] = (byte) (sequence >>> (8 * (Long.BYTES - 1 - i)));
        }
        return out;
    }

    private static long sequenceOf(byte[] iv) throws CoseFormatException {
        for (int i = 0; i < SEQUENCE_OFFSET; i++) {
            if (iv[i] != 0) {
                throw new CoseFormatException(WHAT + ": the IV is not a sequence number (its first "
                        + SEQUENCE_OFFSET + " bytes are not zero)");
            }
        }
        if (iv[SEQUENCE_OFFSET] < 0) {
            throw new CoseFormatException(WHAT + ": the IV's sequence number is above " + MAX_SEQUENCE);
        }
        long s = 0;
        for (int i = SEQUENCE_OFFSET; i < iv.length; i++) {
            s = s << 8 | (iv[i] & 0xff);
        }
        return s;
    }

    /** j: which session key K_j opens the object. */
    public long session() {
        return session;
    }

    /** s: the device's sequence number for this object, unique and growing over the device's life. */
    public long sequence() {
        return sequence;
    }

    /** The reading's size in bytes (what a proxy or an eavesdropper learns of it). */
    public int readingSize() {
        return message.ciphertext().length - CoseEncrypt0.TAG_SIZE;
    }

    /** The object as a COSE_Encrypt0. */
    public CoseEncrypt0 message() {
        return message;
    }

    @Override
    public String toString() {
        return "ProtectedObject[session=" + session + ", sequence=" + sequence + ", reading " + readingSize() + " bytes]";
    }
}
