package chainkm.gateway.devices;

import chainkm.gateway.keys.KeyFeed;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.NodeRecord;
import chainkm.gateway.ledger.TxCode;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitStatus;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.identity.DeviceAuthorization;
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

    /**
     * See {@link DeviceService#rejoin}; a rejoin accepted here attaches the node to {@code attached}.
     * A body of {@link Rejoin#REANCHOR_SIZE} bytes is a re-anchor ({@link #reanchor}).
     */
    byte[] rejoin(DevicePeer peer, byte[] body, AttachedDevices attached) throws DeviceServiceException {
        if (body != null && body.length == Rejoin.REANCHOR_SIZE) {
            return reanchor(peer, body, attached);
        }
        Rejoin.Request req;
        try {
            req = Rejoin.Request.decode(body);
        } catch (MessageFormatException e) {
            throw new DeviceServiceException(e.getMessage());
        }
        int node = checkedNode(peer, req.nodeId());
        synchronized (("rejoin-" + node).intern()) {
            byte[] anchor = memberRecord(node).secretCodeHash();
            byte[] link = req.link();
            if (RejoinChain.isSpent(link, anchor, SPENT_DEPTH)) {
                // anyone who reads the ledger can send this: refuse and log it, but it proves no clone
                replaysRefused.incrementAndGet();
                LOG.warn("REPLAYED rejoin proof for node {} refused (already used, or read off the ledger)", node);
                throw new DeviceServiceException("rejoin proof already used (replayed, or read off the ledger)");
            }
            if (!RejoinChain.verifies(link, anchor)) {
                throw DeviceServiceException.forbidden("rejoin proof does not match node " + node
                        + "'s anchor on the ledger within " + RejoinChain.MAX_SKIP + " links: re-anchor");
            }
            return submitAndAnswer(Submitter.Request.rejoin(node, link), node, req.seq(), attached, "rejoined");
        }
    }

    /**
     * A re-anchor: the device's chain is used up or its next link is out of the ledger's window,
     * so it sends the anchor of a new chain signed by its identity key. Checked here against the
     * key the ledger holds for the session's identity (a signature by any other key is refused
     * before anything is submitted), then carried into a REJOIN whose contract checks it again.
     */
    private byte[] reanchor(DevicePeer peer, byte[] body, AttachedDevices attached) throws DeviceServiceException {
        Rejoin.Reanchor req;
        try {
            req = Rejoin.Reanchor.decode(body);
        } catch (MessageFormatException e) {
            throw new DeviceServiceException(e.getMessage());
        }
        int node = checkedNode(peer, req.nodeId());
        synchronized (("rejoin-" + node).intern()) {
            memberRecord(node);
            DeviceAuthorization auth = new DeviceAuthorization(peer.name(), req.signature());
            byte[] anchor = req.newAnchor();
            Optional<DeviceIdentity> id = ledger.readCheckState(s -> s.identity(peer.name()));
            if (id.isEmpty() || !auth.verifiesReanchor(id.get().key(), node, anchor)) {
                LOG.warn("re-anchor of node {} refused: not signed by {}'s identity key", node, peer.name());
                throw DeviceServiceException.forbidden("re-anchor not signed by " + peer.name() + "'s identity key");
            }
            if (ledger.readCheckState(s -> s.commitmentUsed(peer.name(), anchor))) {
                LOG.warn("re-anchor of node {} refused: the anchor was used before (a replay)", node);
                throw new DeviceServiceException("re-anchor to an anchor already used by " + peer.name());
            }
            return submitAndAnswer(new Submitter.Request(Operation.REJOIN, node, null, anchor, null, auth.encode()),
                    node, req.seq(), attached, "re-anchored its rejoin chain and rejoined");
        }
    }

    /** The node the request names, if it is the session identity's own and not blocked. */
    private int checkedNode(DevicePeer peer, int node) throws DeviceServiceException {
        if (node != peer.nodeId() || node == 0) {
            LOG.warn("rejoin refused: {} asked to rejoin as node {}", peer, node);
            throw DeviceServiceException.forbidden(peer.name() + " may only rejoin as its own node");
        }
        if (clones.isBlocked(node)) {
            throw new DeviceServiceException("node " + node + " is blocked here as a suspected clone");
        }
        return node;
    }

    private NodeRecord memberRecord(int node) throws DeviceServiceException {
        Optional<NodeRecord> member = ledger.readCheckState(s -> s.member(node));
        if (member.isEmpty()) {
            boolean used = ledger.readCommitted(s -> s.nodeIdUsed(node));
            throw new DeviceServiceException(used ? "node " + node + " has left or was evicted: it must join afresh"
                    : "node " + node + " is not a member");
        }
        return member.get();
    }

    /** Submits the REJOIN in sync mode and, once CheckTx accepted it, answers with the attachment key. */
    private byte[] submitAndAnswer(Submitter.Request request, int node, long seq, AttachedDevices attached, String what)
            throws DeviceServiceException {
        Submitter.Submission s;
        try {
            s = submitter.submit(request, SubmitMode.SYNC);
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
            attached.attach(node, seq);
        }
        LOG.info("node {} {} here at epoch {} (REJOIN accepted, no rekeying)", node, what, seq);
        byte[] nk = feed.read(k -> k.nodeKey(node));
        try {
            return new Rejoin.Answer(gatewayId, node, nk).encode();
        } finally {
            Arrays.fill(nk, (byte) 0);
        }
    }

    /** How many replayed (spent or ledger-derived) rejoin proofs this gateway refused. */
    long replaysRefused() {
        return replaysRefused.get();
    }
}
