package chainkm.protocol.fuzz;

import static chainkm.protocol.fuzz.DecoderContract.decode;
import static chainkm.protocol.fuzz.DecoderContract.sameBytes;

import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RemovalProof;
import chainkm.protocol.ledger.TxFormatException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Ledger transactions as CheckTx receives them from anyone who can reach a gateway's RPC, and the
 * signed statement in each operation's extension as the contracts read it.
 */
class LedgerTxFuzzTest {
    private static final Map<Integer, byte[]> CONSORTIUM = Map.of(1, Samples.GATEWAY_1.publicKey(),
            2, Samples.GATEWAY_2.publicKey(), 3, Samples.GATEWAY_3.publicKey(), 4, Samples.DEVICE.publicKey());

    @Timeout(10)
    @FuzzTest
    void transaction(byte[] bytes) {
        decode(TxFormatException.class, () -> LedgerTx.decode(bytes)).ifPresent(tx -> {
            sameBytes("transaction", bytes, tx.encode());
            ChangeRecord r = tx.record();
            sameBytes("record", Arrays.copyOfRange(bytes, 1, 1 + ChangeRecord.SIZE), r.encode());
            tx.verifySignature(Samples.GATEWAY_1.publicKey());
            tx.hash();
            Statements.extension(r.operation(), tx.extension());
            if (r.operation() == Operation.REMOVE_GATEWAY) {
                // what a device checks of a removal a rekey message carries
                decode(TxFormatException.class, () -> RemovalProof.decode(bytes)).orElseThrow().provenIn(CONSORTIUM);
            }
        });
    }

    /** The first byte picks the operation (modulo their number), the rest is its extension. */
    @Timeout(10)
    @FuzzTest
    void extension(byte[] input) {
        if (input.length == 0) {
            return;
        }
        Operation[] ops = Operation.values();
        Statements.extension(ops[Byte.toUnsignedInt(input[0]) % ops.length], Arrays.copyOfRange(input, 1, input.length));
    }
}
