package chainkm.gateway.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.Kdf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** X25519 on the JDK, against RFC 7748's vectors and Bouncy Castle (test scope only). */
class GatewaySecretsTest {
    private final Random random = new Random(7748);

    @TempDir
    Path dir;

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] bcAgreement(byte[] privateKey, byte[] publicKey) {
        X25519Agreement agreement = new X25519Agreement();
        agreement.init(new X25519PrivateKeyParameters(privateKey, 0));
        byte[] shared = new byte[agreement.getAgreementSize()];
        agreement.calculateAgreement(new X25519PublicKeyParameters(publicKey, 0), shared, 0);
        return shared;
    }

    private static byte[] bcPublicKey(byte[] privateKey) {
        return new X25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
    }

    @Test
    void reproducesRfc7748DiffieHellmanVector() {
        // RFC 7748 section 6.1
        byte[] alice = Hex.decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = Hex.decode("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        String alicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
        String bobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertEquals(alicePublic, Hex.encode(GatewaySecrets.x25519PublicKey(alice)));
        assertEquals(bobPublic, Hex.encode(GatewaySecrets.x25519PublicKey(bob)));
        assertEquals(shared, Hex.encode(GatewaySecrets.x25519(GatewaySecrets.x25519PrivateKey(alice), Hex.decode(bobPublic))));
        assertEquals(shared, Hex.encode(GatewaySecrets.x25519(GatewaySecrets.x25519PrivateKey(bob), Hex.decode(alicePublic))));
    }

    @Test
    void reproducesRfc7748ScalarMultiplicationVectorWithAHighBitInU() {
        // RFC 7748 section 5.2, second vector: the input u has its top bit set, which X25519 masks
        byte[] scalar = Hex.decode("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
        byte[] u = Hex.decode("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
        assertEquals("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
                Hex.encode(GatewaySecrets.x25519(GatewaySecrets.x25519PrivateKey(scalar), u)));
    }

    @Test
    void publicKeysAndSharedSecretsAreByteIdenticalToBouncyCastles() {
        for (int i = 0; i < 200; i++) {
            byte[] a = bytes(32); // not clamped: X25519 clamps on use, in both
            byte[] b = bytes(32);
            byte[] aPublic = GatewaySecrets.x25519PublicKey(a);
            byte[] bPublic = GatewaySecrets.x25519PublicKey(b);
            assertArrayEquals(bcPublicKey(a), aPublic, "public key " + i);
            byte[] shared = GatewaySecrets.x25519(GatewaySecrets.x25519PrivateKey(a), bPublic);
            assertArrayEquals(bcAgreement(a, bPublic), shared, "shared secret " + i);
            assertArrayEquals(shared, GatewaySecrets.x25519(GatewaySecrets.x25519PrivateKey(b), aPublic));
            // any 32 bytes as u (top bit set or not, on the curve or its twist) give BC's result
            byte[] u = bytes(32);
            assertArrayEquals(bcAgreement(a, u), GatewaySecrets.x25519(GatewaySecrets.x25519PrivateKey(a), u), "u " + i);
        }
    }

    @Test
    void refusesPointsOfSmallOrderAndWrongSizes() {
        byte[] key = bytes(32);
        assertThrows(IllegalArgumentException.class,
                () -> GatewaySecrets.x25519(GatewaySecrets.x25519PrivateKey(key), new byte[32])); // u = 0
        byte[] one = new byte[32];
        one[0] = 1;
        assertThrows(IllegalArgumentException.class, () -> GatewaySecrets.x25519(GatewaySecrets.x25519PrivateKey(key), one));
        assertThrows(IllegalArgumentException.class, () -> GatewaySecrets.x25519(GatewaySecrets.x25519PrivateKey(key), new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> GatewaySecrets.x25519PrivateKey(new byte[33]));
    }

    /** The pair secret as the Bouncy Castle implementation computed it from the same files. */
    private static byte[] bcPairSecret(Path home, int self, int other, byte[] otherPublic) throws Exception {
        byte[] kem = GatewaySecrets.readSecret(home.resolve(GatewayHome.KEM_KEY));
        byte[] info = ByteBuffer.allocate(8).putInt(Math.min(self, other)).putInt(Math.max(self, other)).array();
        return Kdf.derive(bcAgreement(kem, otherPublic), "chainkm/v1/pair".getBytes(StandardCharsets.US_ASCII), info, 32);
    }

    @Test
    void generatedAndLoadedSecretsGiveEachPairOfGatewaysTheSameSecretAsBefore() throws Exception {
        Path h1 = Files.createDirectories(dir.resolve("g1"));
        Path h2 = Files.createDirectories(dir.resolve("g2"));
        byte[] p1 = GatewaySecrets.generate(h1);
        byte[] p2 = GatewaySecrets.generate(h2);
        assertArrayEquals(bcPublicKey(GatewaySecrets.readSecret(h1.resolve(GatewayHome.KEM_KEY))), p1);
        Map<Integer, byte[]> genesis = Map.of(1, p1, 2, p2);
        GatewaySecrets g1 = GatewaySecrets.load(h1, 1, genesis);
        GatewaySecrets g2 = GatewaySecrets.load(h2, 2, genesis);
        assertArrayEquals(g1.pairSecret(2), g2.pairSecret(1));
        assertArrayEquals(bcPairSecret(h1, 1, 2, p2), g1.pairSecret(2));
        assertFalse(Arrays.equals(g1.pairSecret(1), g1.pairSecret(2)));
        // no consortium-wide device secret any more: nothing a gateway holds opens a device's handshake
        assertFalse(Files.exists(h1.resolve("provisioning.secret")));
        assertThrows(IllegalArgumentException.class, () -> g1.pairSecret(3));
    }

    @Test
    void loadsAKeyWrittenByTheBouncyCastleImplementation() throws Exception {
        // gateway.kem as the earlier code wrote it: X25519PrivateKeyParameters.getEncoded(), base64
        Path h1 = Files.createDirectories(dir.resolve("old"));
        X25519PrivateKeyParameters old = new X25519PrivateKeyParameters(new SecureRandom());
        GatewaySecrets.writeSecret(h1.resolve(GatewayHome.MASTER_SECRET), bytes(32));
        GatewaySecrets.writeSecret(h1.resolve(GatewayHome.KEM_KEY), old.getEncoded());
        // a home of an earlier version may still hold its provisioning secret: it is ignored
        GatewaySecrets.writeSecret(h1.resolve("provisioning.secret"), bytes(32));
        Path h2 = Files.createDirectories(dir.resolve("new"));
        byte[] p2 = GatewaySecrets.generate(h2);
        byte[] p1 = old.generatePublicKey().getEncoded();
        Map<Integer, byte[]> genesis = Map.of(1, p1, 2, p2);
        GatewaySecrets g1 = GatewaySecrets.load(h1, 1, genesis);
        GatewaySecrets g2 = GatewaySecrets.load(h2, 2, genesis);
        assertArrayEquals(bcPairSecret(h1, 1, 2, p2), g1.pairSecret(2));
        assertArrayEquals(g1.pairSecret(2), g2.pairSecret(1));
    }
}
