package chainkm.gateway.coap;

import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.ledger.Operation;
import java.io.IOException;

/**
 * Puts a client's signed authorization statement on the ledger unchanged, as the extension of
 * this gateway's transaction, and waits for the block (commit mode). The gateway signs the
 * transaction but not the statement: the contract checks the client's or owner's signature, so
 * a gateway can neither make nor alter one.
 */
public interface StatementRelay {
    /** The ledger's answer for the statement: committed (with its height) or refused (with code and log). */
    SubmitResult relay(Operation operation, byte[] statement) throws IOException, InterruptedException;

    /** The relay through this gateway's submitter. */
    static StatementRelay of(Submitter submitter) {
        return (operation, statement) -> submitter.submit(
                new Submitter.Request(operation, 0, null, null, null, statement), SubmitMode.COMMIT).first();
    }
}
