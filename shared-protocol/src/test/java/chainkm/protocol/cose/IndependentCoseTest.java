package chainkm.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import COSE.AlgorithmID;
import COSE.Attribute;
import COSE.CoseException;
import COSE.Encrypt0Message;
import COSE.HeaderKeys;
import COSE.Message;
import COSE.MessageTag;
import COSE.OneKey;
import COSE.Sign1Message;
import chainkm.protocol.authz.CoseKey;
import chainkm.protocol.crypto.Ed25519;
import com.upokecenter.cbor.CBORObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's interop check: an independent COSE implementation, the COSE working group's Java
 * one (com.augustcellars.cose:cose-java 1.1.0, its own COSE code on the upokecenter CBOR
 * library, AES-CCM through Bouncy Castle's JCA provider, EdDSA through net.i2p's), decodes,
 * decrypts and verifies the bytes chainkm writes, unchanged; and chainkm reads what it writes.
 */
class IndependentCoseTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String I2P = "EdDSA";

    private final byte[] groupKey = new byte[16];
    private final Ed25519.KeyPair device = Ed25519.KeyPair.generate(RANDOM);
    private final ProtectedResource resource = new ProtectedResource("kitchen-1", "/sensors/temperature");
    private final byte[] reading = "{\"celsius\":21.5}".getBytes(StandardCharsets.US_ASCII);

    IndependentCoseTest() {
        RANDOM.nextBytes(groupKey);
    }

    @BeforeAll
    static void installProviders() {
        // cose-java asks the JCA for "AES/CCM/NoPadding" (the JDK has no CCM) and for an "EdDSA" key factory
        Security.addProvider(new BouncyCastleProvider());
        Security.addProvider(new net.i2p.crypto.eddsa.EdDSASecurityProvider());
    }

    @AfterAll
    static void removeProviders() {
        Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
        Security.removeProvider(I2P);
    }

    @Test
    void coseJavaDecryptsOurProtectedObject() throws Exception {
        ProtectedObject o = ProtectedObject.seal(resource, 42, groupKey, () -> 7L, reading);
        Encrypt0Message m = (Encrypt0Message) Message.DecodeFromBytes(o.encode(), MessageTag.Encrypt0);
        assertEquals(AlgorithmID.AES_CCM_16_64_128.AsCBOR(), m.findAttribute(HeaderKeys.Algorithm, Attribute.PROTECTED));
        assertArrayEquals(ProtectedObject.kid(42), m.findAttribute(HeaderKeys.KID, Attribute.UNPROTECTED).GetByteString());
        m.setExternal(resource.externalAad());
        assertArrayEquals(reading, m.decrypt(groupKey));

        Encrypt0Message wrongResource = (Encrypt0Message) Message.DecodeFromBytes(o.encode(), MessageTag.Encrypt0);
        wrongResource.setExternal(new ProtectedResource("kitchen-1", "/sensors/humidity").externalAad());
        assertThrows(CoseException.class, () -> wrongResource.decrypt(groupKey));
    }

    @Test
    void coseJavaDecryptsOurUntaggedEncrypt0() throws Exception {
        byte[] iv = new byte[13];
        RANDOM.nextBytes(iv);
        byte[] untagged = CoseEncrypt0.encrypt(groupKey, iv, null, null, reading).encode();
        Encrypt0Message m = (Encrypt0Message) Message.DecodeFromBytes(untagged, MessageTag.Encrypt0);
        assertArrayEquals(reading, m.decrypt(groupKey));
    }

    @Test
    void coseJavaVerifiesOurSignedObjectWithTheDevicesCoseKey() throws Exception {
        ProtectedObject o = ProtectedObject.seal(resource, 42, groupKey, () -> 8L, reading);
        byte[] wire = SignedObject.sign(o, resource, device).encode();
        // the device's key as chainkm writes it in a token's cnf: a COSE_Key, read by cose-java
        OneKey publicKey = new OneKey(CBORObject.DecodeFromBytes(CoseKey.encode(device.publicKey())));

        Sign1Message s = (Sign1Message) Message.DecodeFromBytes(wire, MessageTag.Sign1);
        assertEquals(AlgorithmID.EDDSA.AsCBOR(), s.findAttribute(HeaderKeys.Algorithm, Attribute.PROTECTED));
        assertEquals(CBORObject.FromObject(CoseEncrypt0.CONTENT_FORMAT),
                s.findAttribute(HeaderKeys.CONTENT_TYPE, Attribute.PROTECTED));
        s.setExternal(resource.externalAad());
        assertTrue(s.validate(publicKey), "cose-java verifies the device's signature");

        // and opens the payload, our tagged Encrypt0
        Encrypt0Message inner = (Encrypt0Message) Message.DecodeFromBytes(s.GetContent(), MessageTag.Encrypt0);
        inner.setExternal(resource.externalAad());
        assertArrayEquals(reading, inner.decrypt(groupKey));

        Sign1Message otherResource = (Sign1Message) Message.DecodeFromBytes(wire, MessageTag.Sign1);
        otherResource.setExternal(new ProtectedResource("garage-3", "/sensors/temperature").externalAad());
        assertFalse(otherResource.validate(publicKey));
        OneKey otherKey = new OneKey(CBORObject.DecodeFromBytes(
                CoseKey.encode(Ed25519.KeyPair.generate(RANDOM).publicKey())));
        Sign1Message s2 = (Sign1Message) Message.DecodeFromBytes(wire, MessageTag.Sign1);
        s2.setExternal(resource.externalAad());
        assertFalse(s2.validate(otherKey));
    }

    @Test
    void weReadWhatCoseJavaWritesWithTheSameAlgorithms() throws Exception {
        byte[] iv = new byte[13];
        RANDOM.nextBytes(iv);
        Encrypt0Message e = new Encrypt0Message();
        e.addAttribute(HeaderKeys.Algorithm, AlgorithmID.AES_CCM_16_64_128.AsCBOR(), Attribute.PROTECTED);
        e.addAttribute(HeaderKeys.IV, CBORObject.FromObject(iv), Attribute.UNPROTECTED);
        e.SetContent(reading);
        e.setExternal(resource.externalAad());
        e.encrypt(groupKey);
        byte[] theirs = e.EncodeToBytes();
        CoseEncrypt0 ours = CoseEncrypt0.decode(theirs);
        assertArrayEquals(reading, ours.decrypt(groupKey, resource.externalAad()));
        assertArrayEquals(theirs, ours.encodeTagged(), "cose-java writes the same bytes as we do");
        assertArrayEquals(theirs, CoseEncrypt0.encrypt(groupKey, iv, null, resource.externalAad(), reading).encodeTagged());
    }
}
