package chainkm.protocol.authz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.Cosignatures;
import com.upokecenter.cbor.CBORObject;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthzStatementsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair owner = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair client = Ed25519.KeyPair.generate(RANDOM);
    private final Aif scope = new Aif(List.of(new Aif.Entry("/temp", Aif.GET), new Aif.Entry("/led", Aif.GET | Aif.PUT)));

    private static byte[] nonce() {
        byte[] n = new byte[16];
        RANDOM.nextBytes(n);
        return n;
    }

    @Test
    void policyRoundTripsAndVerifiesUnderItsOwner() throws Exception {
        Policy p = Policy.sign(owner, "sensor-1", scope, 100, List.of(client.publicKey()), nonce());
        Policy back = Policy.decode(p.encode());
        assertEquals(p, back);
        assertTrue(back.verifies());
        assertArrayEquals(p.id(), back.id());
        assertEquals("sensor-1", back.device());
        assertEquals(scope, back.scope());
        assertEquals(100, back.maxLifetime());
        assertTrue(back.allows(client.publicKey()));
        assertFalse(back.allows(owner.publicKey()));
        assertFalse(back.voucherMode());
    }

    @Test
    void voucherModePolicyHasNoAllowList() throws Exception {
        Policy p = Policy.decode(Policy.sign(owner, "sensor-1", scope, 5, null, nonce()).encode());
        assertTrue(p.voucherMode());
        assertFalse(p.allows(client.publicKey()));
    }

    @Test
    void aPolicyWhoseBodyWasChangedNoLongerVerifies() throws Exception {
        Policy p = Policy.sign(owner, "sensor-1", scope, 100, List.of(client.publicKey()), nonce());
        byte[] bytes = p.encode();
        // the max lifetime 100 (0x18 0x64) becomes 101: still well formed, no longer the owner's
        int at = indexOf(bytes, new byte[] {0x04, 0x18, 0x64});
        bytes[at + 2] = 0x65;
        Policy forged = Policy.decode(bytes);
        assertEquals(101, forged.maxLifetime());
        assertFalse(forged.verifies());
    }

    @Test
    void eachPutIsANewPolicyId() {
        Policy a = Policy.sign(owner, "sensor-1", scope, 100, null, nonce());
        Policy b = Policy.sign(owner, "sensor-1", scope, 100, null, nonce());
        assertFalse(Arrays.equals(a.id(), b.id()));
    }

    @Test
    void tokenRequestRoundTripsAndItsCtiIsStable() throws Exception {
        byte[] policyId = new byte[32];
        TokenRequest r = TokenRequest.sign(client, policyId, "sensor-1", Aif.of("/temp", Aif.GET), 10, nonce(), null);
        TokenRequest back = TokenRequest.decode(r.encode());
        assertTrue(back.verifies());
        assertArrayEquals(r.cti(), back.cti());
        assertEquals(16, back.cti().length);
        assertArrayEquals(client.publicKey(), back.client());
        assertEquals(10, back.lifetime());
        assertEquals(null, back.voucher());
    }

    @Test
    void aRequestSignedByAnotherKeyThanItsClientDoesNotVerify() throws Exception {
        // a gateway that puts a client's key in a request it signs itself
        Ed25519.KeyPair gateway = Ed25519.KeyPair.generate(RANDOM);
        TokenRequest own = TokenRequest.sign(gateway, new byte[32], "sensor-1", scope, 10, nonce(), null);
        byte[] bytes = own.encode();
        byte[] gk = gateway.publicKey();
        int at = indexOf(bytes, gk);
        System.arraycopy(client.publicKey(), 0, bytes, at, 32);
        TokenRequest forged = TokenRequest.decode(bytes);
        assertArrayEquals(client.publicKey(), forged.client());
        assertFalse(forged.verifies());
    }

    @Test
    void voucherRoundTripsAndVerifiesOnlyUnderTheOwner() throws Exception {
        byte[] policyId = new byte[32];
        Arrays.fill(policyId, (byte) 7);
        Voucher v = Voucher.decode(Voucher.sign(owner, policyId, client.publicKey(), 50).encode());
        assertTrue(v.verifies(owner.publicKey()));
        assertFalse(v.verifies(client.publicKey()));
        assertTrue(v.isFor(policyId, client.publicKey()));
        assertFalse(v.isFor(new byte[32], client.publicKey()));
        assertEquals(50, v.until());
        TokenRequest r = TokenRequest.sign(client, policyId, "d", scope, 3, nonce(), v.encode());
        assertArrayEquals(v.encode(), TokenRequest.decode(r.encode()).voucher());
    }

    @Test
    void accessTokenIsACwtClaimsSetWithTheClientsKeyAsCnf() throws Exception {
        TokenRequest r = TokenRequest.sign(client, new byte[32], "sensor-1", Aif.of("/temp", Aif.GET), 10, nonce(), null);
        AccessToken t = r.grant(40);
        assertEquals(50, t.exp());
        assertEquals(40, t.iat());
        assertArrayEquals(r.cti(), t.cti());
        byte[] bytes = t.encode();
        AccessToken back = AccessToken.decode(bytes);
        assertEquals(t, back);
        CBORObject claims = CBORObject.DecodeFromBytes(bytes);
        assertEquals("sensor-1", claims.get(CBORObject.FromObject(3)).AsString());
        assertEquals(50, claims.get(CBORObject.FromObject(4)).AsInt64Value());
        CBORObject coseKey = claims.get(CBORObject.FromObject(8)).get(CBORObject.FromObject(1));
        assertArrayEquals(client.publicKey(), coseKey.get(CBORObject.FromObject(-2)).GetByteString());
        assertTrue(t.liveAt(49));
        assertFalse(t.liveAt(50));
    }

    @Test
    void accessTokenClaimsAreInDeterministicKeyOrder() {
        AccessToken t = new AccessToken("d", Aif.of("/a", Aif.GET), 2, 1, new byte[16], new byte[32]);
        byte[] b = t.encode();
        // map of 6: aud(3), exp(4), iat(6), cti(7), cnf(8), scope(9), each key one byte in ascending order
        assertEquals((byte) 0xa6, b[0]);
        assertEquals(0x03, b[1]);
        assertEquals("a6036164040206010750", Hex.encode(Arrays.copyOf(b, 10)));
    }

    @Test
    void coseKeyHasRfc9052OkpLayout() throws Exception {
        // RFC 8032 test 1's public key as a COSE_Key: {1: 1, -1: 6, -2: h'd75a...'} (kty OKP, crv Ed25519, x)
        byte[] x = Hex.decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] expected = Hex.decode("a3" + "0101" + "2006" + "215820" + Hex.encode(x));
        assertArrayEquals(expected, CoseKey.encode(x));
        assertArrayEquals(x, CoseKey.decode(expected));
    }

    @Test
    void coseKeyOfAnotherCurveIsRefused() {
        byte[] x25519 = Hex.decode("a3" + "0101" + "2004" + "215820" + "00".repeat(32)); // crv X25519
        assertThrows(AuthzFormatException.class, () -> CoseKey.decode(x25519));
        byte[] ec2 = Hex.decode("a3" + "0102" + "2006" + "215820" + "00".repeat(32)); // kty EC2
        assertThrows(AuthzFormatException.class, () -> CoseKey.decode(ec2));
    }

    @Test
    void nonDeterministicEncodingsAreRefused() {
        // {1: 1, -1: 6, -2: x} with its keys out of order
        byte[] unsorted = Hex.decode("a3" + "2006" + "0101" + "215820" + "00".repeat(32));
        assertThrows(AuthzFormatException.class, () -> CoseKey.decode(unsorted));
        // kty written as a two-byte integer (0x18 0x01): not the preferred serialization
        byte[] longInt = Hex.decode("a3" + "011801" + "2006" + "215820" + "00".repeat(32));
        assertThrows(AuthzFormatException.class, () -> CoseKey.decode(longInt));
        // an indefinite-length map
        byte[] indefinite = Hex.decode("bf" + "0101" + "2006" + "215820" + "00".repeat(32) + "ff");
        assertThrows(AuthzFormatException.class, () -> CoseKey.decode(indefinite));
        // trailing bytes
        byte[] trailing = Hex.decode("a3" + "0101" + "2006" + "215820" + "00".repeat(32) + "00");
        assertThrows(AuthzFormatException.class, () -> CoseKey.decode(trailing));
    }

    @Test
    void deterministicOrderIsBytewiseNotLengthFirst() {
        // RFC 8949 4.2.1: key 24 (0x18 0x18) sorts before key -1 (0x20); CTAP2's length-first order would not
        CBORObject m = CBORObject.NewMap().Add(-1, 0).Add(24, 0);
        assertEquals("a21818002000", Hex.encode(Cbor.encode(m)));
    }

    @Test
    void malformedAndOversizedInputsAreRefused() {
        assertThrows(AuthzFormatException.class, () -> Policy.decode(new byte[] {(byte) 0xff}));
        assertThrows(AuthzFormatException.class, () -> TokenRequest.decode(new byte[0]));
        assertThrows(AuthzFormatException.class, () -> TokenRequest.decode(new byte[Cbor.MAX_SIZE + 1]));
        assertThrows(AuthzFormatException.class, () -> Policy.decode(Hex.decode("820102"))); // [1, 2]
        // a tagged item (tag 24 around a byte string)
        assertThrows(AuthzFormatException.class, () -> Cbor.decode(Hex.decode("d81841a0"), "x"));
        // a float
        assertThrows(AuthzFormatException.class, () -> Cbor.decode(Hex.decode("f93c00"), "x"));
    }

    @Test
    void unknownFieldsAreRefused() {
        byte[] body = Cbor.encode(CBORObject.NewMap().Add(1, new byte[32]).Add(99, 1));
        byte[] bytes = Signed.encode(body, new byte[64]);
        assertThrows(AuthzFormatException.class, () -> PolicyRemoval.decode(bytes));
    }

    @Test
    void aifScopeWithinAnother() {
        Aif granted = new Aif(List.of(new Aif.Entry("/temp", Aif.GET | Aif.PUT), new Aif.Entry("/led", Aif.GET)));
        assertTrue(Aif.of("/temp", Aif.GET).within(granted));
        assertFalse(Aif.of("/temp", Aif.DELETE).within(granted));
        assertFalse(Aif.of("/other", Aif.GET).within(granted));
        assertEquals(Aif.GET | Aif.PUT, Aif.methods("get,PUT"));
        assertThrows(IllegalArgumentException.class, () -> Aif.of("/x", 128));
        assertThrows(IllegalArgumentException.class, () -> Aif.of("x", 1));
    }

    @Test
    void aifEncodesAsAnArrayOfPathAndMethods() throws Exception {
        Aif a = Aif.of("/s", Aif.GET | Aif.PUT);
        assertEquals("8182622f7305", Hex.encode(a.encode()));
        assertEquals(a, Aif.decode(a.encode()));
    }

    @Test
    void policyRemovalVerifiesOnlyUnderTheOwner() throws Exception {
        byte[] id = new byte[32];
        PolicyRemoval r = PolicyRemoval.decode(PolicyRemoval.sign(owner, id).encode());
        assertTrue(r.verifies(owner.publicKey()));
        assertFalse(r.verifies(client.publicKey()));
    }

    @Test
    void tokenDeletionBySignerAndByGateways() throws Exception {
        byte[] cti = new byte[16];
        TokenDeletion byClient = TokenDeletion.decode(TokenDeletion.sign(client, cti).encode());
        assertFalse(byClient.cosigned());
        assertTrue(byClient.verifies());
        assertArrayEquals(client.publicKey(), byClient.signer());

        Ed25519.KeyPair g1 = Ed25519.KeyPair.generate(RANDOM);
        byte[] message = TokenDeletion.cosignedMessage(cti);
        TokenDeletion byGateways = TokenDeletion.decode(TokenDeletion.cosigned(cti,
                List.of(Cosignatures.cosign(1, g1, message))).encode());
        assertTrue(byGateways.cosigned());
        assertFalse(byGateways.verifies());
        assertEquals(1, byGateways.cosignatures().size());
        assertTrue(Ed25519.verify(g1.publicKey(), message, 0, message.length,
                byGateways.cosignatures().get(0).signature()));
    }

    @Test
    void signaturesAreBoundToTheirStatement() {
        // a voucher's signature is not a policy removal's, even over the same body bytes
        byte[] body = Cbor.encode(CBORObject.NewMap().Add(1, new byte[32]));
        byte[] sig = Signed.sign(Voucher.LABEL, body, owner);
        assertTrue(Signed.verify(Voucher.LABEL, body, owner.publicKey(), sig));
        assertFalse(Signed.verify(PolicyRemoval.LABEL, body, owner.publicKey(), sig));
        assertNotEquals(Voucher.LABEL, PolicyRemoval.LABEL);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
