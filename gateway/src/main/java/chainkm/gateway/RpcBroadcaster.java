package chainkm.gateway;

import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.cometbft.CometRpcException;
import chainkm.gateway.submit.TxBroadcaster;
import chainkm.protocol.crypto.Hex;
import java.io.IOException;
import java.util.OptionalInt;

/** The submitter's view of the local CometBFT RPC. */
final class RpcBroadcaster implements TxBroadcaster {
    private final CometRpc rpc;

    RpcBroadcaster(CometRpc rpc) {
        this.rpc = rpc;
    }

    @Override
    public CheckResult broadcastSync(byte[] tx) throws IOException {
        try {
            CometRpc.BroadcastResult r = rpc.broadcastTxSync(tx);
            return new CheckResult(r.code(), r.log(), false);
        } catch (CometRpcException e) {
            if (String.valueOf(e.data()).contains("tx already exists in cache")) {
                return new CheckResult(0, "already in the mempool cache", true);
            }
            throw new IOException("broadcast_tx_sync: " + e.getMessage(), e);
        }
    }

    @Override
    public CommitResult broadcastCommit(byte[] tx) throws IOException {
        try {
            CometRpc.CommitResult r = rpc.broadcastTxCommit(tx);
            return new CommitResult(r.checkTxCode(), r.checkTxLog(), r.txResultCode(), r.txResultLog(), r.height());
        } catch (CometRpcException e) {
            throw new IOException("broadcast_tx_commit: " + e.getMessage(), e);
        }
    }

    @Override
    public OptionalInt committedCode(byte[] txHash) throws IOException {
        try {
            return rpc.tx(Hex.encode(txHash)).map(t -> OptionalInt.of(t.code())).orElse(OptionalInt.empty());
        } catch (CometRpcException e) {
            throw new IOException("tx: " + e.getMessage(), e);
        }
    }
}
