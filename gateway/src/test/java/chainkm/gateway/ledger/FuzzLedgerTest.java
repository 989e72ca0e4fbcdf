package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contracts' fuzz target starts from seeds the ledger accepts: each reaches the end of its contract. */
class FuzzLedgerTest {
    @Test
    void everySeedTransactionIsAccepted() {
        FuzzLedger ledger = FuzzLedger.get();
        for (Map.Entry<String, byte[]> e : ledger.seedTransactions().entrySet()) {
            LedgerState state = ledger.state();
            Contracts.Verdict v = Contracts.check(state, e.getValue(), Contracts.SignatureCheck.PLAIN, state.height() + 1);
            assertEquals(TxCode.OK, v.code(), e.getKey() + ": " + v.log());
        }
    }
}
