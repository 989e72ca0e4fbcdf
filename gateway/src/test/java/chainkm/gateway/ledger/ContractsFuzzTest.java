package chainkm.gateway.ledger;

import static chainkm.gateway.fuzz.DecoderContract.decode;
import static chainkm.gateway.fuzz.DecoderContract.sameBytes;

import chainkm.gateway.fuzz.Seed;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.TxFormatException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * The ledger's contracts on any transaction, as CheckTx and FinalizeBlock run them on the bytes
 * anyone can submit through a gateway's RPC: starting from {@link FuzzLedger}'s state, a
 * transaction is checked and executed without an exception; check and execution agree; an
 * accepted one leaves a state that two validators compute alike and that the state file keeps.
 *
 * <p>Input: a first byte whose low bit picks raw transaction bytes (0, the rest is the
 * transaction) or a signed one (1, then the gateway id (1 byte; 1 to 4 sign with their key, any
 * other id with a key the consortium does not know), the 57-byte record and the extension), so
 * that mutations of a seed stay signed and reach the contracts behind the signature check.
 */
public class ContractsFuzzTest {
    @Timeout(10)
    @FuzzTest
    void transaction(byte[] input) {
        byte[] tx = transactionOf(input);
        if (tx == null) {
            return;
        }
        FuzzLedger ledger = FuzzLedger.get();
        LedgerState state = ledger.state();
        long height = state.height() + 1;
        state.expireTokens(height);
        Contracts.Verdict checked = Contracts.check(state, tx, Contracts.SignatureCheck.PLAIN, height);
        Contracts.Outcome outcome = Contracts.execute(state, tx, height, 0);
        if (checked.code() == null || checked.code() != outcome.verdict().code()) {
            throw new AssertionError("CheckTx says " + checked.code() + ", FinalizeBlock " + outcome.verdict().code());
        }
        if (!outcome.verdict().accepted()) {
            return;
        }
        byte[] file = state.encode();
        LedgerState reloaded = decode(IllegalArgumentException.class, () -> LedgerState.decode(file))
                .orElseThrow(() -> new AssertionError("the state an accepted " + checked.tx().record()
                        + " left does not load back"));
        sameBytes("state after " + checked.tx().record(), file, reloaded.encode());
        LedgerState other = ledger.state(); // another validator
        other.expireTokens(height);
        Contracts.execute(other, tx, height, 0);
        sameBytes("state on another validator after " + checked.tx().record(), file, other.encode());
    }

    private static byte[] transactionOf(byte[] input) {
        if (input.length < 1) {
            return null;
        }
        if ((input[0] & 1) == 0) {
            return Arrays.copyOfRange(input, 1, input.length);
        }
        if (input.length < 2 + ChangeRecord.SIZE || input.length - 2 - ChangeRecord.SIZE > LedgerTx.MAX_EXTENSION) {
            return null;
        }
        int gateway = Byte.toUnsignedInt(input[1]);
        ChangeRecord record;
        try {
            record = ChangeRecord.decode(Arrays.copyOfRange(input, 2, 2 + ChangeRecord.SIZE));
        } catch (TxFormatException e) {
            return null; // an unknown operation cannot be signed: the raw form covers it
        }
        Ed25519.KeyPair key = gateway >= 1 && gateway <= 4 ? FuzzLedger.gateway(gateway) : FuzzLedger.STRANGER;
        return LedgerTx.sign(record, gateway, Arrays.copyOfRange(input, 2 + ChangeRecord.SIZE, input.length), key)
                .encode();
    }

    public static List<Seed> seeds() {
        List<Seed> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : FuzzLedger.get().seedTransactions().entrySet()) {
            out.add(new Seed(ContractsFuzzTest.class, "transaction", e.getKey(), FuzzLedger.unsigned(e.getValue())));
        }
        byte[] raw = FuzzLedger.get().seedTransactions().get("join");
        byte[] rawInput = new byte[raw.length + 1];
        System.arraycopy(raw, 0, rawInput, 1, raw.length);
        out.add(new Seed(ContractsFuzzTest.class, "transaction", "raw-join", rawInput));
        return out;
    }
}
