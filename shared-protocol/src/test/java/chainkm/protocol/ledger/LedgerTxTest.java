package chainkm.protocol.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LedgerTxTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair gateway = Ed25519.KeyPair.generate(RANDOM);

    private static ChangeRecord join(int nodeId, int setId) {
        byte[] refresh = new byte[16];
        RANDOM.nextBytes(refresh);
        return new ChangeRecord(Operation.JOIN, nodeId, setId, SecretCode.commitment(SecretCode.generate(RANDOM)), refresh);
    }

    @Test
    void recordIsTheFiftySevenBytesOfFigure3BigEndian() {
        byte[] hash = new byte[32];
        Arrays.fill(hash, (byte) 0xAB);
        byte[] refresh = new byte[16];
        Arrays.fill(refresh, (byte) 0xCD);
        byte[] bytes = new ChangeRecord(Operation.LEAVE, 0x01020304, 0x0A0B0C0D, hash, refresh).encode();
        assertEquals(57, bytes.length);
        assertEquals(2, bytes[0]);
        assertEquals(0x01020304, ByteBuffer.wrap(bytes, 1, 4).getInt());
        assertEquals(0x0A0B0C0D, ByteBuffer.wrap(bytes, 5, 4).getInt());
        assertArrayEquals(hash, Arrays.copyOfRange(bytes, 9, 41));
        assertArrayEquals(refresh, Arrays.copyOfRange(bytes, 41, 57));
    }

    @Test
    void roundTripWithAndWithoutExtension() throws Exception {
        for (byte[] ext : new byte[][] {new byte[0], "sealed".getBytes()}) {
            LedgerTx tx = LedgerTx.sign(join(42, 7), 3, ext, gateway);
            LedgerTx back = LedgerTx.decode(tx.encode());
            assertEquals(tx, back);
            assertEquals(join(42, 7).nodeId(), back.record().nodeId());
            assertEquals(3, back.gatewayId());
            assertArrayEquals(ext, back.extension());
            assertTrue(back.verifySignature(gateway.publicKey()));
            assertEquals(LedgerTx.MIN_SIZE + ext.length, tx.encode().length);
        }
    }

    @Test
    void signatureCoversEveryByteBeforeIt() throws Exception {
        byte[] bytes = LedgerTx.sign(join(1, 1), 1, "ext".getBytes(), gateway).encode();
        for (int i = 0; i < bytes.length - 64; i++) {
            byte[] tampered = bytes.clone();
            tampered[i] ^= 0x01;
            try {
                assertFalse(LedgerTx.decode(tampered).verifySignature(gateway.publicKey()), "byte " + i);
            } catch (TxFormatException refusedAsMalformed) {
                // flipping the version, operation or length fields may make it unparseable: also a refusal
            }
        }
    }

    @Test
    void otherGatewaysKeyDoesNotVerify() throws Exception {
        LedgerTx tx = LedgerTx.sign(join(1, 1), 1, null, gateway);
        assertFalse(tx.verifySignature(Ed25519.KeyPair.generate(RANDOM).publicKey()));
        assertFalse(tx.verifySignature(new byte[5]));
    }

    @Test
    void malformedBytesAreRefusedWithTheirReason() {
        byte[] good = LedgerTx.sign(join(1, 1), 1, "abc".getBytes(), gateway).encode();
        assertReason(TxFormatException.Reason.EMPTY, new byte[0]);
        assertReason(TxFormatException.Reason.UNSUPPORTED_VERSION, "garbage bytes!".getBytes());
        assertReason(TxFormatException.Reason.TRUNCATED, Arrays.copyOf(good, good.length - 1));
        assertReason(TxFormatException.Reason.TRUNCATED, Arrays.copyOf(good, 20));
        assertReason(TxFormatException.Reason.TRAILING_BYTES, Arrays.copyOf(good, good.length + 1));
        byte[] badOp = good.clone();
        badOp[1] = (byte) 200; // no operation has this code (8 is RENEW, 9-12 authorization)
        assertReason(TxFormatException.Reason.UNKNOWN_OPERATION, badOp);
        byte[] hugeExt = good.clone();
        ByteBuffer.wrap(hugeExt).putInt(1 + 57 + 2, 0x7FFFFFFF);
        assertReason(TxFormatException.Reason.EXTENSION_TOO_LARGE, hugeExt);
    }

    @Test
    void randomGarbageNeverThrowsAnythingButTxFormatException() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 5_000; i++) {
            byte[] garbage = new byte[random.nextInt(300)];
            random.nextBytes(garbage);
            if (garbage.length > 0 && random.nextBoolean()) {
                garbage[0] = 1;
            }
            try {
                LedgerTx.decode(garbage);
            } catch (TxFormatException expected) {
                // fine
            }
        }
    }

    private static void assertReason(TxFormatException.Reason reason, byte[] bytes) {
        TxFormatException e = assertThrows(TxFormatException.class, () -> LedgerTx.decode(bytes));
        assertEquals(reason, e.reason());
    }
}
