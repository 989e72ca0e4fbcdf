package chainkm.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.authz.Cbor;
import chainkm.protocol.authz.CoseKey;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.AuthenticationException;
import com.upokecenter.cbor.CBORObject;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The codec against RFC 9052 Appendix C and the COSE working group's example set (see cose/vectors.txt). */
class CoseVectorsTest {

    @Test
    void decryptsAndReproducesRfc9052SimpleEncryptedMessage() throws Exception {
        CoseVectors.Vector v = CoseVectors.get("rfc9052-c.4.1");
        byte[] message = v.hex("message");

        CoseEncrypt0 decoded = CoseEncrypt0.decode(message);
        assertArrayEquals(CoseVectors.CONTENT, decoded.decrypt(v.hex("key"), null));
        assertArrayEquals(v.hex("enc_structure"), CoseEncrypt0.encStructure(decoded.protectedBytes(), null));
        assertArrayEquals(v.hex("iv"), decoded.unprotectedHeaders().iv());

        CoseEncrypt0 made = CoseEncrypt0.encrypt(v.hex("key"), v.hex("iv"), null, null, CoseVectors.CONTENT);
        assertArrayEquals(message, made.encodeTagged(), "the same bytes as the RFC, tagged");
        assertArrayEquals(Arrays.copyOfRange(message, 1, message.length), made.encode(), "and untagged");
        assertArrayEquals(CoseVectors.CONTENT, CoseEncrypt0.decode(made.encode()).decrypt(v.hex("key"), null));
    }

    @Test
    void reproducesTheExampleSetsAesCcmEncrypt0() throws Exception {
        CoseVectors.Vector v = CoseVectors.get("aes-ccm-enc-01");
        assertArrayEquals(v.hex("message"),
                CoseEncrypt0.encrypt(v.hex("key"), v.hex("iv"), null, null, CoseVectors.CONTENT).encodeTagged());
        assertArrayEquals(CoseVectors.CONTENT, CoseEncrypt0.decode(v.hex("message")).decrypt(v.hex("key"), null));
    }

    @Test
    void decryptsRfc9052PartialIvExampleWithTheContextIvItsCiphertextWasMadeWith() throws Exception {
        CoseVectors.Vector v = CoseVectors.get("rfc9052-c.4.2");
        CoseEncrypt0 decoded = CoseEncrypt0.decode(v.hex("message"));
        assertArrayEquals(v.hex("partial_iv"), decoded.unprotectedHeaders().partialIv());
        assertArrayEquals(CoseVectors.CONTENT, decoded.decrypt(v.hex("key"), v.hex("context_iv"), null));
        assertArrayEquals(v.hex("message"), decoded.encodeTagged());

        // the prefix the RFC's prose states does not open its own ciphertext (see vectors.txt)
        assertThrows(AuthenticationException.class,
                () -> decoded.decrypt(v.hex("key"), v.hex("rfc_text_context_iv"), null));
        CoseFormatException noIv = assertThrows(CoseFormatException.class, () -> decoded.decrypt(v.hex("key"), null));
        assertTrue(noIv.getMessage().contains("Partial IV"), noIv.getMessage());
    }

    @Test
    void encStructureWithExternalAadMatchesTheExampleSetAndOpensItsMessage() throws Exception {
        CoseVectors.Vector v = CoseVectors.get("enc-pass-02");
        byte[] aad = CoseEncrypt0.encStructure(v.hex("protected"), v.hex("external_aad"));
        assertArrayEquals(v.hex("enc_structure"), aad);

        // AES-GCM is not ours, so the independent CBOR library takes the message apart, and the
        // JDK's GCM checks that our Enc_structure is the AAD the message was sealed with
        CBORObject m = CBORObject.DecodeFromBytes(v.hex("message"));
        byte[] ciphertext = m.get(2).GetByteString();
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(v.hex("key"), "AES"), new GCMParameterSpec(128, v.hex("iv")));
        gcm.updateAAD(aad);
        assertArrayEquals(CoseVectors.CONTENT, gcm.doFinal(ciphertext));

        CoseFormatException e = assertThrows(CoseFormatException.class, () -> CoseEncrypt0.decode(v.hex("message")));
        assertTrue(e.getMessage().contains("alg 1 is not AES-CCM-16-64-128"), e.getMessage());
    }

    @Test
    void rfc9052SingleEcdsaSignatureVerifiesOverOurSigStructure() throws Exception {
        checkEs256("rfc9052-c.2.1", null);
    }

    @Test
    void ecdsaSign1WithExternalAadVerifiesOverOurSigStructure() throws Exception {
        checkEs256("sign-pass-02", "external_aad");
    }

    /** ES256 is not ours: CoseSign1 refuses the message, but its Sig_structure is ours, and the JDK's ECDSA checks it. */
    private static void checkEs256(String name, String aadField) throws Exception {
        CoseVectors.Vector v = CoseVectors.get(name);
        byte[] externalAad = aadField == null ? null : v.hex(aadField);
        CBORObject m = CBORObject.DecodeFromBytes(v.hex("message"));
        assertEquals(CoseSign1.TAG, m.getMostOuterTag().ToInt32Checked());
        byte[] protectedBytes = m.get(0).GetByteString();
        assertArrayEquals(v.hex("protected"), protectedBytes);
        byte[] toBeSigned = CoseSign1.sigStructure(protectedBytes, externalAad, m.get(2).GetByteString());
        assertArrayEquals(v.hex("sig_structure"), toBeSigned);

        Signature ecdsa = Signature.getInstance("SHA256withECDSAinP1363Format");
        ecdsa.initVerify(p256(v.hex("x"), v.hex("y")));
        ecdsa.update(toBeSigned);
        assertTrue(ecdsa.verify(m.get(3).GetByteString()), name + ": the ECDSA signature verifies");

        CoseFormatException e = assertThrows(CoseFormatException.class, () -> CoseSign1.decode(v.hex("message")));
        assertTrue(e.getMessage().contains("alg -7 is not EdDSA"), e.getMessage());
    }

    private static PublicKey p256(byte[] x, byte[] y) throws Exception {
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec curve = params.getParameterSpec(ECParameterSpec.class);
        ECPoint w = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, curve));
    }

    @Test
    void verifiesAndReproducesTheExampleSetsEd25519Sign1() throws Exception {
        CoseVectors.Vector v = CoseVectors.get("eddsa-sig-01");
        CoseSign1 decoded = CoseSign1.decode(v.hex("message"));
        assertEquals(0, decoded.protectedHeaders().contentType());
        assertArrayEquals(v.hex("kid"), decoded.unprotectedHeaders().kid());
        assertArrayEquals(CoseVectors.CONTENT, decoded.verify(v.hex("x"), null));
        assertArrayEquals(v.hex("sig_structure"),
                CoseSign1.sigStructure(decoded.protectedBytes(), null, CoseVectors.CONTENT));

        Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(v.hex("d"));
        assertArrayEquals(v.hex("x"), key.publicKey());
        CoseSign1 made = CoseSign1.sign(key, 0, v.hex("kid"), null, CoseVectors.CONTENT);
        assertArrayEquals(v.hex("message"), made.encodeTagged(), "Ed25519 is deterministic: the same bytes");
    }

    @Test
    void refusesTheExampleSetsBrokenSign1Messages() {
        assertRefused("sign-fail-01", "CBOR tag 998, not 18");
        assertRefused("sign-fail-03", "alg -999 is not EdDSA");
        assertRefused("sign-fail-04", "alg is a text string, not an integer");
    }

    private static void assertRefused(String name, String reason) {
        CoseFormatException e = assertThrows(CoseFormatException.class,
                () -> CoseSign1.decode(CoseVectors.get(name).hex("message")));
        assertTrue(e.getMessage().contains(reason), name + ": " + e.getMessage());
    }

    @Test
    void coseKeyRefusesEachOfRfc9052PublicKeysForTheRuleItBreaks() throws Exception {
        CoseVectors.Vector v = CoseVectors.get("rfc9052-c.7.1");
        CBORObject keySet = CBORObject.NewArray();
        for (int i = 1; i <= 4; i++) {
            // in the order the RFC prints them: -1, -2, -3, 1, 2
            keySet.Add(CBORObject.NewOrderedMap()
                    .Add(-1, v.hex("key" + i + "_crv")[0]).Add(-2, v.hex("key" + i + "_x"))
                    .Add(-3, v.hex("key" + i + "_y")).Add(1, 2).Add(2, v.hex("key" + i + "_kid")));
        }
        assertEquals(Integer.parseInt(v.text("size")), keySet.EncodeToBytes().length, "the RFC's stated size");
        CoseVectors.Vector c21 = CoseVectors.get("rfc9052-c.2.1");
        assertArrayEquals(c21.hex("x"), v.hex("key2_x"), "C.2.1 was verified with C.7.1's key '11'");

        for (int i = 0; i < 4; i++) {
            CBORObject key = keySet.get(i);
            // as published: not the deterministic encoding chainkm requires (1 and 2 sort before -1)
            AuthzFormatException asPrinted = assertThrows(AuthzFormatException.class,
                    () -> CoseKey.decode(key.EncodeToBytes()));
            assertTrue(asPrinted.getMessage().contains("deterministic"), asPrinted.getMessage());
            // re-encoded deterministically: the kid and y are fields a chainkm COSE_Key does not have
            AuthzFormatException unknownField = assertThrows(AuthzFormatException.class,
                    () -> CoseKey.decode(Cbor.encode(key)));
            assertTrue(unknownField.getMessage().contains("unknown field"), unknownField.getMessage());
            // reduced to kty, crv and x: still an EC2 key, not the OKP Ed25519 key chainkm accepts
            CBORObject bare = CBORObject.NewMap().Add(1, key.get(CBORObject.FromObject(1)))
                    .Add(-1, key.get(CBORObject.FromObject(-1))).Add(-2, key.get(CBORObject.FromObject(-2)));
            AuthzFormatException notOkp = assertThrows(AuthzFormatException.class,
                    () -> CoseKey.decode(Cbor.encode(bare)));
            assertTrue(notOkp.getMessage().contains("kty is not OKP"), notOkp.getMessage());
        }
    }

    @Test
    void coseKeyEncodesTheExampleSetsEd25519KeyAsDocumented() throws Exception {
        byte[] x = CoseVectors.get("eddsa-sig-01").hex("x");
        byte[] encoded = CoseKey.encode(x);
        assertEquals("a3010120062158 20".replace(" ", "") + Hex.encode(x), Hex.encode(encoded));
        assertArrayEquals(x, CoseKey.decode(encoded));
    }
}
