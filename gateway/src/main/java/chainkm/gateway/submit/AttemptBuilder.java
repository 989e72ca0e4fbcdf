package chainkm.gateway.submit;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.NodeRecord;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.sets.Assignment;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * Builds the attempts of this gateway's operations on its mempool's state, one at a time.
 *
 * <p>Why one at a time: a join's set comes from {@link Assignment} on the mempool's state, so
 * each transaction must pass CheckTx before the next is built on the state it leaves; two built
 * side by side would name the same set. {@link #inTurn} is that turn, shared by both modes.
 */
final class AttemptBuilder {
    private final LedgerApp app;
    private final Ed25519.KeyPair key;
    private final int gatewayId;
    private final SecureRandom random;
    private final Object turn = new Object();

    AttemptBuilder(LedgerApp app, Ed25519.KeyPair key, int gatewayId, SecureRandom random) {
        this.app = app;
        this.key = key;
        this.gatewayId = gatewayId;
        this.random = random;
    }

    /** Work done in the turn: building, sending and CheckTx of one or more attempts. */
    interface TurnWork<T> {
        T run() throws IOException, InterruptedException;
    }

    /** Runs {@code work} while no other attempt of this gateway is being built or checked. */
    <T> T inTurn(TurnWork<T> work) throws IOException, InterruptedException {
        synchronized (turn) {
            return work.run();
        }
    }

    /**
     * The operation's next attempt, built on the current mempool state (call in the turn). It
     * keeps the operation's node id (a join's first attempt picks a fresh one when the caller
     * left it to the gateway), commitment and extension, and names the set the ledger expects now.
     */
    Attempt next(TrackedOperation op) {
        Submitter.Request request = op.request();
        // a fresh refresh key per attempt: otherwise a rebuilt attempt can be byte-identical to a refused
        // one, and the tx index (looked up by hash) answers with the old refusal
        byte[] refreshKey = request.refreshKey();
        if (refreshKey == null) {
            refreshKey = new byte[ChangeRecord.REFRESH_KEY_SIZE];
            random.nextBytes(refreshKey);
        }
        int nodeId = op.nodeId();
        int setId;
        byte[] commitment;
        if (request.operation() == Operation.ENROLL || request.operation() == Operation.ACTIVATE) {
            // an identity's operation names no node: its record is blank
            setId = 0;
            commitment = new byte[ChangeRecord.HASH_SIZE];
        } else if (request.operation() == Operation.RENEW) {
            // a renewal names its set only
            setId = request.setIdOverride();
            commitment = new byte[ChangeRecord.HASH_SIZE];
        } else if (request.operation() == Operation.JOIN) {
            if (nodeId == 0) {
                nodeId = freshNodeId();
            }
            setId = request.setIdOverride() != null ? request.setIdOverride()
                    : app.readCheckState(s -> Assignment.selectSet(s.layout(), gatewayId));
            commitment = op.commitment();
        } else {
            int id = nodeId;
            Optional<NodeRecord> member = app.readCheckState(s -> s.member(id))
                    .or(() -> app.readCommitted(s -> s.member(id)));
            setId = request.setIdOverride() != null ? request.setIdOverride()
                    : member.map(NodeRecord::setId).orElse(0);
            commitment = op.commitment() != null ? op.commitment()
                    : member.map(NodeRecord::secretCodeHash).orElse(new byte[ChangeRecord.HASH_SIZE]);
        }
        ChangeRecord record = new ChangeRecord(request.operation(), nodeId, setId, commitment, refreshKey);
        LedgerTx tx = LedgerTx.sign(record, gatewayId, request.extension(), key);
        Attempt attempt = new Attempt(Hex.encode(tx.hash()).toUpperCase(), tx.encode(), setId);
        op.built(attempt, nodeId);
        return attempt;
    }

    /** A random node id nobody has used, on the mempool's state (joins whose caller leaves the id to the gateway). */
    int freshNodeId() {
        while (true) {
            int id = 1 + random.nextInt(Integer.MAX_VALUE - 1);
            if (!app.readCheckState(s -> s.nodeIdUsed(id))) {
                return id;
            }
        }
    }
}
