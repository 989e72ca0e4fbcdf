package chainkm.protocol.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IdentityStatementsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair enrollment = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair identity = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair gateway = Ed25519.KeyPair.generate(RANDOM);

    @Test
    void enrollmentRoundTrips() throws Exception {
        DeviceEnrollment e = new DeviceEnrollment("dev-7", enrollment.publicKey());
        DeviceEnrollment back = DeviceEnrollment.decode(e.encode());
        assertEquals("dev-7", back.name());
        assertArrayEquals(enrollment.publicKey(), back.enrollmentKey());
    }

    @Test
    void activationNeedsBothKeys() throws Exception {
        IdentityActivation a = IdentityActivation.decode(IdentityActivation.sign("dev-7", enrollment, identity).encode());
        assertTrue(a.verifies(enrollment.publicKey()));
        assertFalse(a.verifies(gateway.publicKey()), "checked against the enrolled key, not any key");
        // a relaying gateway swaps in its own key: the enrollment signature no longer covers it
        IdentityActivation swapped = new IdentityActivation("dev-7", gateway.publicKey(), a.enrollmentSignature(),
                IdentityActivation.sign("dev-7", gateway, gateway).identitySignature());
        assertFalse(swapped.verifies(enrollment.publicKey()));
        // or signs with its key as the new one but without the bundle's key
        assertFalse(IdentityActivation.sign("dev-7", gateway, gateway).verifies(enrollment.publicKey()));
        // the same signatures for another name
        assertFalse(new IdentityActivation("dev-8", a.identityKey(), a.enrollmentSignature(), a.identitySignature())
                .verifies(enrollment.publicKey()));
    }

    @Test
    void aJoinSignatureCoversNameAndCommitmentOnly() throws Exception {
        byte[] commitment = new byte[32];
        RANDOM.nextBytes(commitment);
        DeviceAuthorization auth = DeviceAuthorization.decode(DeviceAuthorization.forJoin("dev-7", commitment, identity).encode());
        assertTrue(auth.verifiesJoin(identity.publicKey(), commitment));
        byte[] other = commitment.clone();
        other[0] ^= 1;
        assertFalse(auth.verifiesJoin(identity.publicKey(), other), "another commitment");
        assertFalse(auth.verifiesJoin(gateway.publicKey(), commitment), "another device's key");
        assertFalse(new DeviceAuthorization("dev-8", auth.signature()).verifiesJoin(identity.publicKey(), commitment));
        assertFalse(auth.verifiesLeave(identity.publicKey(), 0), "a join signature is no leave signature");
    }

    @Test
    void aLeaveSignatureCoversTheNode() {
        DeviceAuthorization auth = DeviceAuthorization.forLeave("dev-7", 42, identity);
        assertTrue(auth.verifiesLeave(identity.publicKey(), 42));
        assertFalse(auth.verifiesLeave(identity.publicKey(), 43));
    }

    @Test
    void malformedStatementsAreRefusedWithAReason() {
        byte[] good = new DeviceEnrollment("dev-7", enrollment.publicKey()).encode();
        assertThrows(IdentityFormatException.class, () -> DeviceEnrollment.decode(Arrays.copyOf(good, good.length - 1)));
        assertThrows(IdentityFormatException.class, () -> DeviceEnrollment.decode(Arrays.copyOf(good, good.length + 1)));
        assertThrows(IdentityFormatException.class, () -> DeviceEnrollment.decode(new byte[0]));
        assertThrows(IdentityFormatException.class, () -> DeviceEnrollment.decode(null));
        byte[] badName = good.clone();
        badName[1] = ' ';
        assertThrows(IdentityFormatException.class, () -> DeviceEnrollment.decode(badName));
        byte[] longName = good.clone();
        longName[0] = (byte) 200;
        assertThrows(IdentityFormatException.class, () -> DeviceEnrollment.decode(longName));
        assertThrows(IllegalArgumentException.class, () -> DeviceName.check("a/b"));
        assertThrows(IllegalArgumentException.class, () -> DeviceName.check("x".repeat(65)));
    }

    @Test
    void aReanchorBindsNameNodeAndNewAnchorToTheIdentityKey() {
        SecureRandom random = new SecureRandom();
        Ed25519.KeyPair identity = Ed25519.KeyPair.generate(random);
        Ed25519.KeyPair other = Ed25519.KeyPair.generate(random);
        byte[] anchor = new byte[32];
        random.nextBytes(anchor);
        DeviceAuthorization a = DeviceAuthorization.forReanchor("dev-a", 7, anchor, identity);
        assertTrue(a.verifiesReanchor(identity.publicKey(), 7, anchor));
        assertFalse(a.verifiesReanchor(other.publicKey(), 7, anchor), "another key");
        assertFalse(a.verifiesReanchor(identity.publicKey(), 8, anchor), "another node");
        byte[] otherAnchor = anchor.clone();
        otherAnchor[0] ^= 1;
        assertFalse(a.verifiesReanchor(identity.publicKey(), 7, otherAnchor), "another anchor");
        // a leave or join signature over the same bytes' fields is no re-anchor (labels differ)
        DeviceAuthorization leave = DeviceAuthorization.forLeave("dev-a", 7, identity);
        assertFalse(leave.verifiesReanchor(identity.publicKey(), 7, anchor));
        DeviceAuthorization join = DeviceAuthorization.forJoin("dev-a", anchor, identity);
        assertFalse(join.verifiesReanchor(identity.publicKey(), 7, anchor));
    }
}
