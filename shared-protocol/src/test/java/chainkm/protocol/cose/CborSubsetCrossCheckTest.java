package chainkm.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.authz.Cbor;
import chainkm.protocol.crypto.Ed25519;
import com.upokecenter.cbor.CBORObject;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The package's own CBOR reading and writing against the upokecenter library (the one
 * chainkm.protocol.authz uses): what we write is that library's deterministic encoding of the
 * same value, and what we accept it reads as well-formed deterministic CBOR.
 */
class CborSubsetCrossCheckTest {
    private final Random random = new Random(8949);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void writesWhatTheLibraryEncodesDeterministically() {
        long[] integers = {0, 1, 23, 24, 255, 256, 65535, 65536, 0xFFFFFFFFL, 0x100000000L, Long.MAX_VALUE,
            -1, -24, -25, -256, -257, -65536, -65537, -0x100000000L, -0x100000001L, Long.MIN_VALUE};
        for (long n : integers) {
            assertArrayEquals(Cbor.encode(CBORObject.FromObject(n)), new CborWriter().integer(n).toByteArray(), "" + n);
        }
        for (int size : new int[] {0, 1, 23, 24, 255, 256, 70000}) {
            byte[] b = bytes(size);
            assertArrayEquals(Cbor.encode(CBORObject.FromObject(b)), new CborWriter().bytes(b).toByteArray());
            String text = "x".repeat(size);
            assertArrayEquals(Cbor.encode(CBORObject.FromObject(text)), new CborWriter().text(text).toByteArray());
        }
        for (int i = 0; i < 200; i++) {
            CoseHeaders h = randomHeaders();
            CBORObject map = CBORObject.NewMap();
            if (h.alg() != null) {
                map.Add(CoseHeaders.ALG, h.alg());
            }
            if (h.contentType() != null) {
                map.Add(CoseHeaders.CONTENT_TYPE, h.contentType());
            }
            if (h.kid() != null) {
                map.Add(CoseHeaders.KID, h.kid());
            }
            if (h.iv() != null) {
                map.Add(CoseHeaders.IV, h.iv());
            }
            if (h.partialIv() != null) {
                map.Add(CoseHeaders.PARTIAL_IV, h.partialIv());
            }
            CborWriter w = new CborWriter();
            h.writeTo(w);
            assertArrayEquals(Cbor.encode(map), w.toByteArray());
        }
    }

    private CoseHeaders randomHeaders() {
        CoseHeaders h = CoseHeaders.EMPTY;
        if (random.nextBoolean()) {
            h = h.withAlg(random.nextBoolean() ? random.nextInt(70000) - 35000 : random.nextLong());
        }
        if (random.nextBoolean()) {
            h = h.withContentType(random.nextInt(CoseHeaders.MAX_CONTENT_TYPE + 1));
        }
        if (random.nextBoolean()) {
            h = h.withKid(bytes(1 + random.nextInt(CoseHeaders.MAX_KID_SIZE)));
        }
        int iv = random.nextInt(3);
        if (iv == 1) {
            h = h.withIv(bytes(1 + random.nextInt(CoseHeaders.MAX_IV_SIZE)));
        } else if (iv == 2) {
            h = h.withPartialIv(bytes(1 + random.nextInt(CoseHeaders.MAX_IV_SIZE)));
        }
        return h;
    }

    @Test
    void whatTheDecodersAcceptIsWellFormedDeterministicCborAndNothingElseEscapes() throws Exception {
        byte[] key = bytes(16);
        Ed25519.KeyPair signer = Ed25519.KeyPair.generate(new SecureRandom());
        byte[][] seeds = {
            CoseEncrypt0.encrypt(key, bytes(13), bytes(3), null, bytes(30)).encodeTagged(),
            CoseEncrypt0.encrypt(key, bytes(13), null, null, bytes(0)).encode(),
            CoseSign1.sign(signer, 16, bytes(2), null, bytes(40)).encodeTagged(),
            CoseSign1.sign(signer, null, null, null, bytes(5)).encode(),
        };
        int accepted = 0;
        int refused = 0;
        for (int round = 0; round < 6_000; round++) {
            byte[] m = mutate(seeds[round % seeds.length]);
            boolean ok;
            try {
                if (round % 2 == 0) {
                    CoseEncrypt0.decode(m);
                } else {
                    CoseSign1.decode(m);
                }
                ok = true;
            } catch (CoseFormatException e) {
                ok = false;
            }
            if (ok) {
                accepted++;
                CBORObject parsed = CBORObject.DecodeFromBytes(m);
                CBORObject body = parsed.isTagged() ? parsed.UntagOne() : parsed;
                byte[] untagged = parsed.isTagged() ? Arrays.copyOfRange(m, 1, m.length) : m;
                assertArrayEquals(untagged, Cbor.encode(body), "accepted bytes are deterministic CBOR");
                assertTrue(CBORObject.DecodeFromBytes(body.get(0).GetByteString()).size() >= 1);
            } else {
                refused++;
            }
        }
        assertTrue(accepted > 300 && refused > 300, accepted + " accepted, " + refused + " refused");
    }

    /** One to three random byte changes, truncations or insertions. */
    private byte[] mutate(byte[] seed) {
        byte[] m = seed.clone();
        int changes = 1 + random.nextInt(3);
        for (int c = 0; c < changes; c++) {
            switch (random.nextInt(4)) {
                case 0 -> m[random.nextInt(m.length)] = (byte) random.nextInt(256);
                case 1 -> m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
                case 2 -> m = Arrays.copyOf(m, Math.max(1, m.length - 1 - random.nextInt(4)));
                default -> {
                    int at = random.nextInt(m.length + 1);
                    byte[] n = new byte[m.length + 1];
                    System.arraycopy(m, 0, n, 0, at);
                    n[at] = (byte) random.nextInt(256);
                    System.arraycopy(m, at, n, at + 1, m.length - at);
                    m = n;
                }
            }
        }
        return m;
    }

    @Test
    void protectedBucketsAreReadBackAsWritten() throws Exception {
        for (int i = 0; i < 200; i++) {
            CoseHeaders h = randomHeaders();
            CoseHeaders back = CoseHeaders.decodeProtected(h.encodeProtected(), "test");
            assertEquals(h.alg(), back.alg());
            assertEquals(h.contentType(), back.contentType());
            assertArrayEquals(h.kid(), back.kid());
            assertArrayEquals(h.iv(), back.iv());
            assertArrayEquals(h.partialIv(), back.partialIv());
        }
    }
}
