package chainkm.protocol.authz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import com.upokecenter.cbor.CBORObject;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** The key server's wire: AccessRequest, AccessGrant and ForwardedAccess round-trip, and anything else is refused. */
class KeyServerMessagesTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private final byte[] cti = random(16);

    @Test
    void anAccessRequestRoundTripsAndGetIsTheDefault() throws Exception {
        AccessRequest get = new AccessRequest(cti, "lamp-1", "/light", Aif.GET);
        AccessRequest back = AccessRequest.decode(get.encode());
        assertEquals(get, back);
        assertArrayEquals(cti, back.cti());
        assertEquals("lamp-1/light", back.group());
        assertEquals(Aif.GET, back.methods());
        // GET is left out of the encoding; a request that names it anyway means the same
        assertEquals(3, CBORObject.DecodeFromBytes(get.encode()).size());
        byte[] explicit = Cbor.encode(CBORObject.NewMap().Add(1, cti).Add(2, "lamp-1").Add(3, "/light").Add(4, 1));
        assertEquals(get, AccessRequest.decode(explicit));

        AccessRequest put = new AccessRequest(cti, "lamp-1", "/light", Aif.GET | Aif.PUT);
        assertEquals(put, AccessRequest.decode(put.encode()));
        assertEquals(Aif.GET | Aif.PUT, AccessRequest.decode(put.encode()).methods());
    }

    @Test
    void theAccessRequestWireIsExactlyTheDocumentedMap() {
        AccessRequest r = new AccessRequest(new byte[16], "d", "/p", Aif.PUT);
        // {1: h'00..00', 2: "d", 3: "/p", 4: 4}
        assertEquals("a4" + "01" + "50" + "00".repeat(16) + "02" + "6164" + "03" + "622f70" + "04" + "04",
                Hex.encode(r.encode()));
    }

    @Test
    void theDocumentedExampleEncodesAsDocumented() throws Exception {
        byte[] cti = Hex.decode("000102030405060708090a0b0c0d0e0f");
        AccessRequest r = new AccessRequest(cti, "lamp-1", "/light", Aif.GET | Aif.PUT);
        assertEquals("a4" + "0150000102030405060708090a0b0c0d0e0f" + "02666c616d702d31" + "03662f6c69676874" + "0405",
                Hex.encode(r.encode()));
        byte[] grant = new AccessGrant("lamp-1/light", new byte[32], 0, 5123, 4990).encode();
        // {1: ["lamp-1/light"], 7: -65537, 8: h'00..', 9: 0, 10: -65537, 11: 5123, 12: 4990}
        assertEquals("a7" + "01816c" + Hex.encode("lamp-1/light".getBytes()) + "073a00010000" + "085820" + "00".repeat(32)
                + "0900" + "0a3a00010000" + "0b191403" + "0c19137e", Hex.encode(grant));
    }

    @Test
    void malformedAccessRequestsAreRefused() {
        assertRefused(new byte[0]);
        assertRefused("not cbor".getBytes());
        assertRefused(Cbor.encode(CBORObject.NewArray().Add(1)));
        // a short cti, a bad device name, a path without '/', a zero or unknown method mask
        assertRefused(Cbor.encode(CBORObject.NewMap().Add(1, new byte[15]).Add(2, "lamp-1").Add(3, "/light")));
        assertRefused(Cbor.encode(CBORObject.NewMap().Add(1, cti).Add(2, "lamp 1").Add(3, "/light")));
        assertRefused(Cbor.encode(CBORObject.NewMap().Add(1, cti).Add(2, "lamp-1").Add(3, "light")));
        assertRefused(Cbor.encode(CBORObject.NewMap().Add(1, cti).Add(2, "lamp-1").Add(3, "/light").Add(4, 0)));
        assertRefused(Cbor.encode(CBORObject.NewMap().Add(1, cti).Add(2, "lamp-1").Add(3, "/light").Add(4, 128)));
        // a missing field, an unknown field, a field of the wrong type
        assertRefused(Cbor.encode(CBORObject.NewMap().Add(1, cti).Add(2, "lamp-1")));
        assertRefused(Cbor.encode(CBORObject.NewMap().Add(1, cti).Add(2, "lamp-1").Add(3, "/light").Add(5, 1)));
        assertRefused(Cbor.encode(CBORObject.NewMap().Add(1, Hex.encode(cti)).Add(2, "lamp-1").Add(3, "/light")));
        // not deterministic: the keys out of order
        byte[] unsorted = Hex.decode("a3" + "0266" + Hex.encode("lamp-1".getBytes()) + "0150" + Hex.encode(cti)
                + "0366" + Hex.encode("/light".getBytes()));
        assertRefused(unsorted);
        // trailing bytes
        byte[] good = new AccessRequest(cti, "lamp-1", "/light", Aif.GET).encode();
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertRefused(trailing);
    }

    @Test
    void anOversizedAccessRequestIsRefusedBeforeParsing() {
        AuthzFormatException e = assertThrows(AuthzFormatException.class,
                () -> AccessRequest.decode(new byte[AccessRequest.MAX_SIZE + 1]));
        assertTrue(e.getMessage().contains("at most " + AccessRequest.MAX_SIZE), e.getMessage());
    }

    private static void assertRefused(byte[] bytes) {
        assertThrows(AuthzFormatException.class, () -> AccessRequest.decode(bytes), Hex.encode(bytes));
    }

    @Test
    void anAccessGrantRoundTripsWithRfc9594Abbreviations() throws Exception {
        byte[] key = random(32);
        AccessGrant g = new AccessGrant("lamp-1/light", key, 0, 5_000, 4_990);
        AccessGrant back = AccessGrant.decode(g.encode());
        assertEquals(g, back);
        assertArrayEquals(key, back.key());
        assertEquals("lamp-1/light", back.group());
        assertEquals(0, back.num());
        assertEquals(5_000, back.exp());
        assertEquals(4_990, back.exi());

        CBORObject map = CBORObject.DecodeFromBytes(g.encode());
        assertEquals("lamp-1/light", map.get(CBORObject.FromObject(1)).get(0).AsString()); // gname
        assertEquals(-65537, map.get(CBORObject.FromObject(7)).AsInt64Value()); // gkty
        assertArrayEquals(key, map.get(CBORObject.FromObject(8)).GetByteString()); // key
        assertEquals(0, map.get(CBORObject.FromObject(9)).AsInt64Value()); // num
        assertEquals(-65537, map.get(CBORObject.FromObject(10)).AsInt64Value()); // ace_groupcomm_profile
        assertEquals(5_000, map.get(CBORObject.FromObject(11)).AsInt64Value()); // exp
        assertEquals(4_990, map.get(CBORObject.FromObject(12)).AsInt64Value()); // exi
        assertEquals(7, map.size());
    }

    @Test
    void anAccessGrantNeverPrintsItsKey() {
        byte[] key = random(32);
        String text = new AccessGrant("lamp-1/light", key, 0, 100, 10).toString();
        assertFalse(text.toLowerCase().contains(Hex.encode(key).substring(0, 8)), text);
        assertFalse(text.contains(java.util.Base64.getEncoder().encodeToString(key).substring(0, 8)), text);
        assertTrue(text.contains("lamp-1/light"), text);
    }

    @Test
    void grantsOfAnotherKindOrWithOtherFieldsAreRefused() {
        byte[] key = random(32);
        CBORObject good = CBORObject.DecodeFromBytes(new AccessGrant("lamp-1/light", key, 0, 100, 10).encode());
        assertGrantRefused(with(good, 7, CBORObject.FromObject(1))); // another gkty (Group OSCORE input material)
        assertGrantRefused(with(good, 10, CBORObject.FromObject(1))); // another profile
        assertGrantRefused(with(good, 8, CBORObject.FromObject(new byte[16]))); // a short key
        assertGrantRefused(with(good, 1, CBORObject.FromObject("lamp-1/light"))); // gname not an array
        assertGrantRefused(with(good, 1, CBORObject.NewArray().Add("lamp-1/light").Add("lamp-1/x"))); // two groups
        assertGrantRefused(with(good, 1, CBORObject.NewArray().Add("/light"))); // no device
        assertGrantRefused(with(good, 12, CBORObject.FromObject(0))); // no block left
        assertGrantRefused(with(good, 13, CBORObject.FromObject(0))); // unknown field (creds)
        CBORObject missing = CBORObject.DecodeFromBytes(good.EncodeToBytes());
        missing.Remove(CBORObject.FromObject(9));
        assertGrantRefused(Cbor.encode(missing));
    }

    private static byte[] with(CBORObject map, int key, CBORObject value) {
        CBORObject copy = CBORObject.DecodeFromBytes(map.EncodeToBytes());
        copy.set(CBORObject.FromObject(key), value);
        return Cbor.encode(copy);
    }

    private static void assertGrantRefused(byte[] bytes) {
        assertThrows(AuthzFormatException.class, () -> AccessGrant.decode(bytes), Hex.encode(bytes));
    }

    @Test
    void aForwardedAccessRoundTripsAndRefusesAShortKey() throws Exception {
        AccessRequest r = new AccessRequest(cti, "lamp-1", "/light", Aif.PUT);
        byte[] client = random(32);
        ForwardedAccess f = new ForwardedAccess(r, client, 77);
        ForwardedAccess back = ForwardedAccess.decode(f.encode());
        assertEquals(f, back);
        assertEquals(r, back.request());
        assertArrayEquals(client, back.client());
        assertEquals(77, back.height());
        byte[] shortKey = Cbor.encode(CBORObject.NewMap().Add(1, r.encode()).Add(2, new byte[31]).Add(3, 77));
        assertThrows(AuthzFormatException.class, () -> ForwardedAccess.decode(shortKey));
        byte[] badRequest = Cbor.encode(CBORObject.NewMap().Add(1, new byte[] {1}).Add(2, client).Add(3, 77));
        assertThrows(AuthzFormatException.class, () -> ForwardedAccess.decode(badRequest));
    }

    @Test
    void methodNamesAreReadable() {
        assertEquals("GET,PUT", Aif.methodNames(Aif.GET | Aif.PUT));
        assertEquals("iPATCH", Aif.methodNames(Aif.IPATCH));
    }
}
