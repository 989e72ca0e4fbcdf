package chainkm.protocol.cose;

import java.util.ArrayList;
import java.util.List;

/**
 * One bucket of COSE header parameters (RFC 9052 section 3.1), limited to the common parameters
 * chainkm uses: alg (1), content type (3), kid (4), IV (5) and Partial IV (6). A reader refuses
 * every other label, crit (2) included: a message whose meaning depends on a header chainkm
 * does not understand is refused rather than half understood. Immutable.
 */
public final class CoseHeaders {
    public static final int ALG = 1;
    public static final int CRIT = 2;
    public static final int CONTENT_TYPE = 3;
    public static final int KID = 4;
    public static final int IV = 5;
    public static final int PARTIAL_IV = 6;

    /** Bounds that keep a hostile header small; the algorithms fix the exact IV sizes. */
    public static final int MAX_KID_SIZE = 64;
    public static final int MAX_IV_SIZE = 16;
    /** A content type is a CoAP Content-Format number (RFC 7252 section 12.3). */
    public static final int MAX_CONTENT_TYPE = 0xFFFF;

    public static final CoseHeaders EMPTY = new CoseHeaders(null, null, null, null, null);

    private final Long alg;
    private final Integer contentType;
    private final byte[] kid;
    private final byte[] iv;
    private final byte[] partialIv;

    private CoseHeaders(Long alg, Integer contentType, byte[] kid, byte[] iv, byte[] partialIv) {
        this.alg = alg;
        this.contentType = contentType;
        this.kid = kid;
        this.iv = iv;
        this.partialIv = partialIv;
    }

    public CoseHeaders withAlg(long value) {
        return new CoseHeaders(value, contentType, kid, iv, partialIv);
    }

    public CoseHeaders withContentType(int value) {
        if (value < 0 || value > MAX_CONTENT_TYPE) {
            throw new IllegalArgumentException("a content type is 0 to " + MAX_CONTENT_TYPE);
        }
        return new CoseHeaders(alg, value, kid, iv, partialIv);
    }

    public CoseHeaders withKid(byte[] value) {
        checkSize(value, 1, MAX_KID_SIZE, "a kid");
        return new CoseHeaders(alg, contentType, value.clone(), iv, partialIv);
    }

    public CoseHeaders withIv(byte[] value) {
        checkSize(value, 1, MAX_IV_SIZE, "an IV");
        return new CoseHeaders(alg, contentType, kid, value.clone(), null);
    }

    public CoseHeaders withPartialIv(byte[] value) {
        checkSize(value, 1, MAX_IV_SIZE, "a Partial IV");
        return new CoseHeaders(alg, contentType, kid, null, value.clone());
    }

    private static void checkSize(byte[] value, int min, int max, String what) {
        if (value == null || value.length < min || value.length > max) {
            throw new IllegalArgumentException(what + " is " + min + " to " + max + " bytes");
        }
    }

    /** The algorithm, or null when this bucket has none. */
    public Long alg() {
        return alg;
    }

    /** The content type (a CoAP Content-Format), or null. */
    public Integer contentType() {
        return contentType;
    }

    /** A copy of the key id, or null. */
    public byte[] kid() {
        return kid == null ? null : kid.clone();
    }

    /** A copy of the IV, or null. */
    public byte[] iv() {
        return iv == null ? null : iv.clone();
    }

    /** A copy of the Partial IV, or null. */
    public byte[] partialIv() {
        return partialIv == null ? null : partialIv.clone();
    }

    public boolean isEmpty() {
        return labels().isEmpty();
    }

    /** The labels present, in deterministic (ascending) order. */
    List<Integer> labels() {
        List<Integer> out = new ArrayList<>(5);
        if (alg != null) {
            out.add(ALG);
        }
        if (contentType != null) {
            out.add(CONTENT_TYPE);
        }
        if (kid != null) {
            out.add(KID);
        }
        if (iv != null) {
            out.add(IV);
        }
        if (partialIv != null) {
            out.add(PARTIAL_IV);
        }
        return out;
    }

    /** Writes this bucket as a map; labels 1..6 are all positive, so ascending order is deterministic order. */
    void writeTo(CborWriter w) {
        List<Integer> labels = labels();
        w.map(labels.size());
        for (int label : labels) {
            w.integer(label);
            switch (label) {
                case ALG -> w.integer(alg);
                case CONTENT_TYPE -> w.integer(contentType);
                case KID -> w.bytes(kid);
                case IV -> w.bytes(iv);
                default -> w.bytes(partialIv);
            }
        }
    }

    /**
     * The protected bucket's serialization, the bytes its bstr carries and that the
     * Enc_structure and Sig_structure cover: the empty bucket is the zero-length string.
     */
    byte[] encodeProtected() {
        if (isEmpty()) {
            return new byte[0];
        }
        CborWriter w = new CborWriter();
        writeTo(w);
        return w.toByteArray();
    }

    /** Reads a protected bucket from the bytes of its bstr. */
    static CoseHeaders decodeProtected(byte[] serialized, String what) throws CoseFormatException {
        if (serialized.length == 0) {
            return EMPTY;
        }
        CborReader r = new CborReader(serialized, what + " protected header");
        CoseHeaders h = read(r, "the map");
        r.expectEnd();
        return h;
    }

    /** Reads a bucket (a map) at the reader's position. */
    static CoseHeaders read(CborReader r, String bucket) throws CoseFormatException {
        long entries = r.map(bucket);
        Long alg = null;
        Integer contentType = null;
        byte[] kid = null;
        byte[] iv = null;
        byte[] partialIv = null;
        long previous = 0;
        for (long i = 0; i < entries; i++) {
            long label = r.integer(bucket + " label");
            if (label < ALG || label > PARTIAL_IV || label == CRIT) {
                throw r.error(bucket + " has header label " + label + ", which chainkm does not accept");
            }
            if (label <= previous) {
                throw r.error(bucket + " labels are repeated or not in deterministic order");
            }
            previous = label;
            switch ((int) label) {
                case ALG -> alg = r.integer("alg");
                case CONTENT_TYPE -> {
                    if (r.peekType() != CborReader.UNSIGNED) {
                        throw r.error("content type is not a CoAP Content-Format number");
                    }
                    long ct = r.integer("content type");
                    if (ct > MAX_CONTENT_TYPE) {
                        throw r.error("content type " + ct + " is above " + MAX_CONTENT_TYPE);
                    }
                    contentType = (int) ct;
                }
                case KID -> kid = sized(r.bytes("kid"), MAX_KID_SIZE, "kid", r);
                case IV -> iv = sized(r.bytes("IV"), MAX_IV_SIZE, "IV", r);
                default -> partialIv = sized(r.bytes("Partial IV"), MAX_IV_SIZE, "Partial IV", r);
            }
        }
        if (iv != null && partialIv != null) {
            throw r.error("IV and Partial IV are both present (RFC 9052 section 3.1 forbids it)");
        }
        return new CoseHeaders(alg, contentType, kid, iv, partialIv);
    }

    private static byte[] sized(byte[] value, int max, String field, CborReader r) throws CoseFormatException {
        if (value.length == 0 || value.length > max) {
            throw r.error(field + " is " + value.length + " bytes, 1 to " + max + " expected");
        }
        return value;
    }
}
