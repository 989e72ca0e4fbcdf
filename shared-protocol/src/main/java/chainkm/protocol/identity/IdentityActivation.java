package chainkm.protocol.identity;

import chainkm.protocol.crypto.Ed25519;
import java.nio.ByteBuffer;

/**
 * The extension of an {@code ACTIVATE} transaction: at first boot a device replaces its
 * one-time enrollment key with an identity key it generated itself. Two signatures over
 * {@link #message}: the enrollment key's (the bundle holder consents) and the new key's (proof
 * of possession). A gateway relaying it cannot put a key of its own in its place; once it is
 * committed, the bundle's enrollment key opens nothing.
 * Wire: name, identity key (32), enrollment signature (64), identity signature (64).
 */
public record IdentityActivation(String name, byte[] identityKey, byte[] enrollmentSignature,
                                 byte[] identitySignature) {
    private static final String LABEL = "chainkm/v1/activate";

    public IdentityActivation {
        DeviceName.check(name);
        identityKey = identityKey.clone();
        enrollmentSignature = enrollmentSignature.clone();
        identitySignature = identitySignature.clone();
        if (identityKey.length != Ed25519.PUBLIC_KEY_SIZE || enrollmentSignature.length != Ed25519.SIGNATURE_SIZE
                || identitySignature.length != Ed25519.SIGNATURE_SIZE) {
            throw new IllegalArgumentException("activation: 32-byte key, 64-byte signatures");
        }
    }

    /** Signed by the device with both keys. */
    public static IdentityActivation sign(String name, Ed25519.KeyPair enrollmentKey, Ed25519.KeyPair identityKey) {
        byte[] m = message(name, identityKey.publicKey());
        return new IdentityActivation(name, identityKey.publicKey(), enrollmentKey.sign(m, 0, m.length),
                identityKey.sign(m, 0, m.length));
    }

    /** What both keys sign: the label, the name and the new identity key. */
    public static byte[] message(String name, byte[] identityKey) {
        ByteBuffer out = Statements.labelled(LABEL, DeviceName.encodedSize(name) + identityKey.length);
        DeviceName.encodeTo(out, DeviceName.check(name));
        return out.put(identityKey).array();
    }

    /** True when both signatures hold: the enrollment key's (as enrolled) and the new key's. */
    public boolean verifies(byte[] enrolledKey) {
        byte[] m = message(name, identityKey);
        return Statements.verify(enrolledKey, m, enrollmentSignature) && Statements.verify(identityKey, m, identitySignature);
    }

    @Override
    public byte[] identityKey() {
        return identityKey.clone();
    }

    @Override
    public byte[] enrollmentSignature() {
        return enrollmentSignature.clone();
    }

    @Override
    public byte[] identitySignature() {
        return identitySignature.clone();
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(DeviceName.encodedSize(name) + Ed25519.PUBLIC_KEY_SIZE
                + 2 * Ed25519.SIGNATURE_SIZE);
        DeviceName.encodeTo(out, name);
        return out.put(identityKey).put(enrollmentSignature).put(identitySignature).array();
    }

    public static IdentityActivation decode(byte[] bytes) throws IdentityFormatException {
        return Statements.parseExactly(bytes, "activation", in -> new IdentityActivation(DeviceName.decodeFrom(in),
                Statements.key(in), Statements.signature(in), Statements.signature(in)));
    }
}
