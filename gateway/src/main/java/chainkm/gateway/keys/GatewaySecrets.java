package chainkm.gateway.keys;

import chainkm.protocol.keys.Kdf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * A gateway's key-management secrets, each a 0600 file in its home: {@code master.secret}
 * (32 bytes: everything this gateway derives alone), {@code gateway.kem} (an X25519 private
 * key: its public half is in genesis, and Diffie-Hellman with another gateway's gives the two
 * of them a pair secret for the pairwise set keys between their sets) and
 * {@code provisioning.secret} (shared by the consortium: bootstrap credentials of devices).
 */
public final class GatewaySecrets {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    public static final String MASTER = "master.secret";
    public static final String KEM = "gateway.kem";
    public static final String PROVISIONING = "provisioning.secret";

    private final int gatewayId;
    private final byte[] master;
    private final X25519PrivateKeyParameters kem;
    private final byte[] provisioning;
    private final Map<Integer, byte[]> pairSecrets = new TreeMap<>();

    private GatewaySecrets(int gatewayId, byte[] master, X25519PrivateKeyParameters kem, byte[] provisioning) {
        this.gatewayId = gatewayId;
        this.master = master;
        this.kem = kem;
        this.provisioning = provisioning;
    }

    /** Writes new master and KEM secrets into {@code home}; returns the KEM public key for genesis. */
    public static byte[] generate(Path home, byte[] provisioningSecret) throws IOException {
        SecureRandom random = new SecureRandom();
        byte[] master = new byte[32];
        random.nextBytes(master);
        X25519PrivateKeyParameters kem = new X25519PrivateKeyParameters(random);
        writeSecret(home.resolve(MASTER), master);
        writeSecret(home.resolve(KEM), kem.getEncoded());
        writeSecret(home.resolve(PROVISIONING), provisioningSecret);
        return kem.generatePublicKey().getEncoded();
    }

    static void writeSecret(Path file, byte[] secret) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(file, Base64.getEncoder().encodeToString(secret) + "\n", StandardCharsets.US_ASCII);
    }

    static byte[] readSecret(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + " not found");
        }
        if (!OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file))) {
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
        GatewaySecrets s = new GatewaySecrets(gatewayId, readSecret(home.resolve(MASTER)),
                new X25519PrivateKeyParameters(readSecret(home.resolve(KEM)), 0), readSecret(home.resolve(PROVISIONING)));
        for (Map.Entry<Integer, byte[]> e : kemPublicKeys.entrySet()) {
            s.pairSecrets.put(e.getKey(), s.computePairSecret(e.getKey(), e.getValue()));
        }
        return s;
    }

    private byte[] computePairSecret(int other, byte[] otherPublic) {
        ByteBuffer info = ByteBuffer.allocate(8).putInt(Math.min(gatewayId, other)).putInt(Math.max(gatewayId, other));
        if (other == gatewayId) {
            return Kdf.derive(master, null, "chainkm/v1/self-pair", 32);
        }
        X25519Agreement agreement = new X25519Agreement();
        agreement.init(kem);
        byte[] shared = new byte[agreement.getAgreementSize()];
        agreement.calculateAgreement(new X25519PublicKeyParameters(otherPublic, 0), shared, 0);
        byte[] pair = Kdf.derive(shared, "chainkm/v1/pair".getBytes(StandardCharsets.US_ASCII), info.array(), 32);
        java.util.Arrays.fill(shared, (byte) 0);
        return pair;
    }

    public int gatewayId() {
        return gatewayId;
    }

    byte[] master() {
        return master;
    }

    byte[] provisioning() {
        return provisioning;
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
