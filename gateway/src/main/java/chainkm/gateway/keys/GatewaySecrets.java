package chainkm.gateway.keys;

import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.keys.Kdf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.KeyAgreement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's key-management secrets, each a 0600 file in its {@link GatewayHome}: {@code master.secret}
 * (32 bytes: everything this gateway derives alone), {@code gateway.kem} (an X25519 private
 * key: its public half is in genesis, and Diffie-Hellman with another gateway's gives the two
 * of them a pair secret for the pairwise set keys between their sets). No secret is shared by
 * the whole consortium: devices authenticate with keys of their own, which the ledger records.
 *
 * <p>X25519 (RFC 7748) keys are stored raw, 32 bytes each: the private key as the scalar's bytes,
 * the public key as the little-endian u-coordinate. The JDK's X25519 does the arithmetic.
 */
public final class GatewaySecrets {
    public static final int X25519_KEY_SIZE = 32;
    /** RFC 7748: the u-coordinate of the base point of Curve25519. */
    private static final BigInteger BASE_POINT_U = BigInteger.valueOf(9);
    /** The consortium-wide device bootstrap secret of earlier versions: a home may still hold it. */
    private static final String RETIRED_PROVISIONING_SECRET = "provisioning.secret";
    private static final Logger LOG = LoggerFactory.getLogger(GatewaySecrets.class);

    private final int gatewayId;
    private final byte[] master;
    private final PrivateKey kem;
    private final Map<Integer, byte[]> pairSecrets = new TreeMap<>();

    private GatewaySecrets(int gatewayId, byte[] master, PrivateKey kem) {
        this.gatewayId = gatewayId;
        this.master = master;
        this.kem = kem;
    }

    /** Writes new master and KEM secrets into {@code home}; returns the KEM public key for genesis. */
    public static byte[] generate(Path home) throws IOException {
        GatewayHome files = GatewayHome.at(home);
        SecureRandom random = new SecureRandom();
        byte[] master = new byte[32];
        random.nextBytes(master);
        byte[] kem = new byte[X25519_KEY_SIZE];
        random.nextBytes(kem);
        // RFC 7748 section 5's clamping, done once here (X25519 does it again on every use)
        kem[0] &= (byte) 0xF8;
        kem[31] &= (byte) 0x7F;
        kem[31] |= (byte) 0x40;
        try {
            writeSecret(files.masterSecret(), master);
            writeSecret(files.kemKey(), kem);
            return x25519PublicKey(kem);
        } finally {
            Arrays.fill(master, (byte) 0);
            Arrays.fill(kem, (byte) 0);
        }
    }

    /** The public key of an X25519 private key: X25519(k, 9), little-endian (RFC 7748 section 6.1). */
    static byte[] x25519PublicKey(byte[] privateKey) {
        return x25519(x25519PrivateKey(privateKey), encodeU(BASE_POINT_U));
    }

    /** X25519(k, u): the 32-byte little-endian u-coordinate of k times the point u. */
    static byte[] x25519(PrivateKey privateKey, byte[] publicKey) {
        if (publicKey == null || publicKey.length != X25519_KEY_SIZE) {
            throw new IllegalArgumentException("an X25519 public key is " + X25519_KEY_SIZE + " bytes");
        }
        try {
            PublicKey peer = KeyFactory.getInstance("X25519")
                    .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(publicKey)));
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(privateKey);
            agreement.doPhase(peer, true);
            return agreement.generateSecret();
        } catch (InvalidKeyException e) {
            // the JDK refuses a point of small order (an all-zero result), as RFC 7748 section 6.1 allows
            throw new IllegalArgumentException("X25519 with this public key failed (a point of small order?)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's X25519 is unavailable: " + e.getClass().getSimpleName());
        }
    }

    static PrivateKey x25519PrivateKey(byte[] raw) {
        if (raw == null || raw.length != X25519_KEY_SIZE) {
            throw new IllegalArgumentException("an X25519 private key is " + X25519_KEY_SIZE + " bytes");
        }
        try {
            return KeyFactory.getInstance("X25519").generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, raw));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's X25519 is unavailable: " + e.getClass().getSimpleName());
        }
    }

    /**
     * RFC 7748 section 5: a u-coordinate is 32 bytes little-endian, and X25519 masks the most
     * significant bit of the last byte. (The JDK reduces u modulo p itself.)
     */
    static BigInteger decodeU(byte[] encoded) {
        byte[] bigEndian = new byte[X25519_KEY_SIZE];
        for (int i = 0; i < X25519_KEY_SIZE; i++) {
            bigEndian[i] = encoded[X25519_KEY_SIZE - 1 - i];
        }
        bigEndian[0] &= 0x7F;
        return new BigInteger(1, bigEndian);
    }

    static byte[] encodeU(BigInteger u) {
        byte[] bigEndian = u.toByteArray();
        byte[] out = new byte[X25519_KEY_SIZE];
        for (int i = 0; i < Math.min(X25519_KEY_SIZE, bigEndian.length); i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return out;
    }

    static void writeSecret(Path file, byte[] secret) throws IOException {
        GatewayHome.writeSecret(file, Base64.getEncoder().encodeToString(secret));
    }

    static byte[] readSecret(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + " not found");
        }
        if (!GatewayHome.isOwnerOnly(Files.getPosixFilePermissions(file))) {
            throw new IOException(file + " is readable by others: chmod 600 it");
        }
        try {
            return Base64.getDecoder().decode(Files.readString(file).trim());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not base64");
        }
    }

    /**
     * @param kemPublicKeys every consortium gateway's X25519 public key (from genesis), by id
     */
    public static GatewaySecrets load(Path home, int gatewayId, Map<Integer, byte[]> kemPublicKeys) throws IOException {
        GatewayHome files = GatewayHome.at(home);
        GatewaySecrets s = new GatewaySecrets(gatewayId, readSecret(files.masterSecret()), kemPrivateKey(files.kemKey()));
        Path retired = home.resolve(RETIRED_PROVISIONING_SECRET);
        if (Files.exists(retired)) {
            LOG.warn("{} is no longer used (devices have identities of their own): delete it", retired);
        }
        for (Map.Entry<Integer, byte[]> e : kemPublicKeys.entrySet()) {
            s.pairSecrets.put(e.getKey(), s.computePairSecret(e.getKey(), e.getValue()));
        }
        return s;
    }

    private static PrivateKey kemPrivateKey(Path file) throws IOException {
        byte[] raw = readSecret(file);
        try {
            if (raw.length != X25519_KEY_SIZE) {
                throw new IOException(file + " does not hold an X25519 private key (" + X25519_KEY_SIZE + " bytes)");
            }
            return x25519PrivateKey(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private byte[] computePairSecret(int other, byte[] otherPublic) {
        ByteBuffer info = ByteBuffer.allocate(8).putInt(Math.min(gatewayId, other)).putInt(Math.max(gatewayId, other));
        if (other == gatewayId) {
            return Kdf.derive(master, null, "chainkm/v1/self-pair", 32);
        }
        byte[] shared = x25519(kem, otherPublic);
        byte[] pair = Kdf.derive(shared, "chainkm/v1/pair".getBytes(StandardCharsets.US_ASCII), info.array(), 32);
        Arrays.fill(shared, (byte) 0);
        return pair;
    }

    public int gatewayId() {
        return gatewayId;
    }

    byte[] master() {
        return master;
    }

    /** The secret this gateway shares with gateway {@code other} (itself included). */
    byte[] pairSecret(int other) {
        byte[] s = pairSecrets.get(other);
        if (s == null) {
            throw new IllegalArgumentException("gateway " + other + " is not in the consortium");
        }
        return s;
    }
}
