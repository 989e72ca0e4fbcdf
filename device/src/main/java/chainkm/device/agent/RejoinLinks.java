package chainkm.device.agent;

import chainkm.protocol.ledger.RejoinChain;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hands out the links of the device's rejoin hash chain. The index of a link is made durable
 * before the link leaves the device, so no link is ever revealed by this device under two
 * indexes, even across a crash (a link revealed but never committed is skipped: the ledger
 * accepts a link up to {@link RejoinChain#MAX_SKIP} below the anchor). File {@code rejoin.index}.
 *
 * <p>A link handed to a gateway that then gave no answer stays <em>pending</em> for that
 * gateway: a retry to the same gateway sends the same link again, which tells it nothing it did
 * not know. A link is never reused with another gateway: two gateways holding the same
 * uncommitted link could each commit it and race for the node's attachment. A refusal or an
 * answer ends the pending link. The pending link lives in memory only: a crash costs one link.
 */
final class RejoinLinks {
    static final String FILE = "rejoin.index";

    private final Path stateDir;
    private int pendingGateway = -1;
    private int pendingIndex;

    RejoinLinks(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** The link to send to {@code gatewayId}: its pending one, else the next one (its index recorded first). */
    synchronized byte[] forGateway(int gatewayId) throws IOException {
        byte[] seed = RejoinSeed.loadOrCreate(stateDir);
        if (pendingGateway != gatewayId) {
            pendingIndex = used(stateDir) + 1;
            if (pendingIndex >= RejoinChain.LENGTH) {
                throw new ChainUsedUpException(pendingIndex);
            }
            SecretFiles.writeAtomically(stateDir.resolve(FILE), ByteBuffer.allocate(4).putInt(pendingIndex).array());
            pendingGateway = gatewayId;
        }
        return RejoinChain.proof(seed, pendingIndex);
    }

    /** The gateway answered or refused: its pending link is not sent again. */
    synchronized void settled() {
        pendingGateway = -1;
    }

    /** A new chain replaced the old one: its links start again at 1. */
    synchronized void restart() throws IOException {
        pendingGateway = -1;
        SecretFiles.writeAtomically(stateDir.resolve(FILE), ByteBuffer.allocate(4).putInt(0).array());
    }

    /**
     * How many links of the current chain were handed out.
     *
     * @throws ChainUsedUpException when the file is damaged (not one index of the chain): which
     *         links were revealed is then unknown, so no link of this chain may be sent again
     */
    static int used(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] bytes = Files.readAllBytes(file);
        int used = bytes.length == Integer.BYTES ? ByteBuffer.wrap(bytes).getInt() : -1;
        if (used < 0 || used >= RejoinChain.LENGTH) {
            throw new ChainUsedUpException(file + " is damaged (" + bytes.length + " bytes, not the index of a link):"
                    + " no link of this rejoin chain is sent again: re-anchor");
        }
        return used;
    }

    /** Every link of the chain was handed out, or which ones were is unknown: the device must re-anchor. */
    static final class ChainUsedUpException extends IOException {
        ChainUsedUpException(int index) {
            this("rejoin chain used up (" + index + " of " + (RejoinChain.LENGTH - 1) + " links): re-anchor");
        }

        ChainUsedUpException(String message) {
            super(message);
        }
    }
}
