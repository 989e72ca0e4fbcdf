package chainkm.gateway.submit;

import java.io.IOException;
import java.util.OptionalInt;

/** The part of the local CometBFT RPC the submitter uses (loopback only). */
public interface TxBroadcaster {
    /** {@code broadcast_tx_sync}: returns after CheckTx. */
    CheckResult broadcastSync(byte[] tx) throws IOException;

    /** {@code broadcast_tx_commit}: returns after the block is committed, or after a CheckTx refusal. */
    CommitResult broadcastCommit(byte[] tx) throws IOException;

    /** The result code of a committed transaction, or empty when no block holds it (yet). */
    OptionalInt committedCode(byte[] txHash) throws IOException;

    /** CheckTx's answer; {@code duplicate} when CometBFT's mempool cache already held these bytes. */
    record CheckResult(int code, String log, boolean duplicate) {}

    record CommitResult(int checkCode, String checkLog, int txCode, String txLog, long height) {}
}
