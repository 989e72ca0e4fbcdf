package chainkm.gateway.devices;

import chainkm.gateway.keys.KeyFeed;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.NodeRecord;
import chainkm.gateway.ledger.TxCode;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitStatus;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.rekey.MessageFormatException;
import chainkm.protocol.rekey.Rejoin;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rejoin of a member to this gateway (orphan rejoin, or a move), with no new rekeying (the
 * paper's point): the next link of its hash chain (for the node of the device identity that asks)
 * must hash to the anchor the ledger holds for
 * it and must not be one already spent (anyone who reads the ledger knows those); the REJOIN is
 * then submitted in sync mode and the device answered after CheckTx with its attachment key.
 */
final class DeviceRejoins {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRejoins.class);
    /** How far back along the chain a link counts as spent. */
    private static final int SPENT_DEPTH = 64;

    private final LedgerApp ledger;
    private final Submitter submitter;
    private final KeyFeed feed;
    private final int gatewayId;
    private final CloneDetector clones;
    private final AtomicLong replaysRefused = new AtomicLong();

    DeviceRejoins(LedgerApp ledger, Submitter submitter, KeyFeed feed, int gatewayId, CloneDetector clones) {
        this.ledger = ledger;
        this.submitter = submitter;
        this.feed = feed;
        this.gatewayId = gatewayId;
        this.clones = clones;
    }

    /** See {@link DeviceService#rejoin}; a rejoin accepted here attaches the node to {@code attached}. */
    byte[] rejoin(DevicePeer peer, byte[] body, AttachedDevices attached) throws DeviceServiceException {
        Rejoin.Request req;
        try {
            req = Rejoin.Request.decode(body);
        } catch (MessageFormatException e) {
            throw new DeviceServiceException(e.getMessage());
        }
        int node = req.nodeId();
        if (node != peer.nodeId() || node == 0) {
            LOG.warn("rejoin refused: {} asked to rejoin as node {}", peer, node);
            throw DeviceServiceException.forbidden(peer.name() + " may only rejoin as its own node");
        }
        if (clones.isBlocked(node)) {
            throw new DeviceServiceException("node " + node + " is blocked here as a suspected clone");
        }
        synchronized (("rejoin-" + node).intern()) {
            Optional<NodeRecord> member = ledger.readCheckState(s -> s.member(node));
            if (member.isEmpty()) {
                boolean used = ledger.readCommitted(s -> s.nodeIdUsed(node));
                throw new DeviceServiceException(used ? "node " + node + " has left or was evicted: it must join afresh"
                        : "node " + node + " is not a member");
            }
            byte[] anchor = member.get().secretCodeHash();
            byte[] link = req.link();
            if (RejoinChain.isSpent(link, anchor, SPENT_DEPTH)) {
                // anyone who reads the ledger can send this: refuse and log it, but it proves no clone
                replaysRefused.incrementAndGet();
                LOG.warn("REPLAYED rejoin proof for node {} refused (already used, or read off the ledger)", node);
                throw new DeviceServiceException("rejoin proof already used (replayed, or read off the ledger)");
            }
            if (!RejoinChain.verifies(link, anchor)) {
                throw new DeviceServiceException("rejoin proof does not match node " + node + "'s anchor on the ledger");
            }
            Submitter.Submission s;
            try {
                s = submitter.submit(Submitter.Request.rejoin(node, link), SubmitMode.SYNC);
            } catch (IOException e) {
                throw new DeviceServiceException("rejoin not submitted: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceServiceException("interrupted");
            }
            if (s.first().status() != SubmitStatus.ACCEPTED) {
                throw new DeviceServiceException("the ledger refused the rejoin: code " + s.first().code() + " "
                        + s.first().log());
            }
            s.landed().thenAccept(r -> {
                if (r.code() == TxCode.BAD_REJOIN_PROOF.code()) {
                    LOG.warn("the REJOIN of node {} accepted here lost to another one with the same link", node);
                }
            });
            if (attached != null) {
                attached.attach(node, req.seq());
            }
            LOG.info("node {} rejoined here at epoch {} (REJOIN accepted, no rekeying)", node, req.seq());
            byte[] nk = feed.read(k -> k.nodeKey(node));
            try {
                return new Rejoin.Answer(gatewayId, node, nk).encode();
            } finally {
                Arrays.fill(nk, (byte) 0);
            }
        }
    }

    /** How many replayed (spent or ledger-derived) rejoin proofs this gateway refused. */
    long replaysRefused() {
        return replaysRefused.get();
    }
}
