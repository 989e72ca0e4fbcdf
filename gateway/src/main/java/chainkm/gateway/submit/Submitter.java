package chainkm.gateway.submit;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.Eviction;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Submits this gateway's operations to its local CometBFT node, in commit or sync mode, and
 * makes sure each one lands exactly once.
 *
 * <p>Why it cannot go wrong twice: every attempt for one operation carries the same node id
 * (and, for a join, the same commitment), and the ledger refuses a reused node id, so at most
 * one attempt is ever applied; an enrollment or activation carries the same device name and
 * key, and the ledger takes a name only once (NAME_TAKEN) and activates it only once
 * (IDENTITY_NOT_ENROLLED). Why joins do not fail on set conflicts: the set id is computed
 * from this node's mempool state with one transaction at a time passing CheckTx
 * ({@link AttemptBuilder}), and if a block still orders things differently (another gateway's
 * join in between), the refused attempt is rebuilt with the set Assignment now gives and sent
 * again. Why an accepted operation is not lost to its own attempts: a refusal caused by another
 * attempt of the same operation is never final ({@link RefusalDecision}).
 */
public final class Submitter implements AutoCloseable {
    private final SecureRandom random = new SecureRandom();
    private final AttemptBuilder builder;
    private final SyncModeTracker syncMode;
    private final CommitModeSubmission commitMode;

    /**
     * @param journal where acknowledged sync-mode operations wait until they land, so a
     *                restarted gateway finishes them ({@link #recover()}); null keeps them in memory only
     */
    public Submitter(LedgerApp app, TxBroadcaster rpc, Ed25519.KeyPair key, int gatewayId, Duration resubmitAfter,
                     PendingJournal journal) {
        this.builder = new AttemptBuilder(app, key, gatewayId, random);
        RefusalDecision decision = new RefusalDecision(app);
        this.syncMode = new SyncModeTracker(rpc, builder, decision, resubmitAfter, journal);
        this.commitMode = new CommitModeSubmission(rpc, builder, decision, syncMode);
        app.addCheckTxListener((hash, code, recheck) -> {
            commitMode.checked(hash);
            syncMode.checked(hash, code, recheck);
        });
        app.addCommitListener(syncMode::committed);
    }

    /**
     * What to submit. Every attempt of the operation carries the same extension (the device's
     * signature covers its name and commitment, or name and node id, never the set, so it stays
     * valid when a set conflict makes the gateway rebuild the transaction).
     *
     * @param nodeId        for a join, 0 lets the gateway pick a fresh node id; 0 for enroll and activate
     * @param setIdOverride null lets the gateway pick the set (Assignment, or the member's set);
     *                      a fixed set exists to test the ledger's refusals (see {@link #withOverrides})
     * @param commitment    what the change record carries in its secret-code-hash field: for a
     *                      join, the device's commitment (the hash of its secret code, or the
     *                      anchor of its rejoin chain); for a rejoin, the next link of that chain;
     *                      null lets the gateway choose (a fresh secret code for a join, the
     *                      member's recorded commitment for a departure)
     * @param refreshKey    null: a fresh one per attempt; fixed when co-signers signed it as the nonce
     * @param extension     the transaction's extension (the operation's authority), empty for none
     */
    public record Request(Operation operation, int nodeId, Integer setIdOverride, byte[] commitment,
                          byte[] refreshKey, byte[] extension) {
        public Request {
            commitment = commitment == null ? null : commitment.clone();
            refreshKey = refreshKey == null ? null : refreshKey.clone();
            extension = extension == null ? new byte[0] : extension.clone();
        }

        @Override
        public byte[] commitment() {
            return commitment == null ? null : commitment.clone();
        }

        @Override
        public byte[] refreshKey() {
            return refreshKey == null ? null : refreshKey.clone();
        }

        @Override
        public byte[] extension() {
            return extension.clone();
        }

        /** A device's join under its identity: the commitment it holds the secret for, signed by its key. */
        public static Request join(int nodeId, byte[] commitment, DeviceAuthorization joinAuthorization) {
            return new Request(Operation.JOIN, nodeId, null, commitment, null, joinAuthorization.encode());
        }

        /** A member's rejoin, proven by the next link of its rejoin chain. */
        public static Request rejoin(int nodeId, byte[] link) {
            return new Request(Operation.REJOIN, nodeId, null, link, null, null);
        }

        /** A member leaves, with its own signature over its name and node id. */
        public static Request leave(int nodeId, DeviceAuthorization leaveAuthorization) {
            return new Request(Operation.LEAVE, nodeId, null, null, null, leaveAuthorization.encode());
        }

        /** This gateway evicts a member of one of its own sets (the ledger refuses it from another gateway). */
        public static Request evict(int nodeId) {
            return new Request(Operation.EVICT, nodeId, null, null, null, null);
        }

        /**
         * An evict co-signed by other gateways (the owner of the member's set is dead or suspect):
         * {@code nonce} is what they signed ({@link Eviction#message}) and becomes the refresh key.
         */
        public static Request evictCosigned(int nodeId, byte[] nonce, List<Cosignatures.Cosignature> cosignatures) {
            if (nonce.length != ChangeRecord.REFRESH_KEY_SIZE) {
                throw new IllegalArgumentException("an evict's nonce is its refresh key: "
                        + ChangeRecord.REFRESH_KEY_SIZE + " bytes");
            }
            return new Request(Operation.EVICT, nodeId, null, null, nonce, Cosignatures.extension(cosignatures));
        }

        /** This gateway renews every key of set {@code setId}, one of its own (the ledger refuses it from another gateway). */
        public static Request renew(int setId) {
            return new Request(Operation.RENEW, 0, setId, new byte[ChangeRecord.HASH_SIZE], null, null);
        }

        /** Enrolls a device name with the public half of its one-time enrollment key. */
        public static Request enroll(DeviceEnrollment enrollment) {
            return new Request(Operation.ENROLL, 0, null, null, null, enrollment.encode());
        }

        /** Relays a device's activation of the identity key it generated itself. */
        public static Request activate(IdentityActivation activation) {
            return new Request(Operation.ACTIVATE, 0, null, null, null, activation.encode());
        }

        /**
         * A join without the device's authority: the ledger refuses it (MALFORMED_EXTENSION) since
         * device identities (issue 11).
         *
         * @deprecated use {@link #join(int, byte[], DeviceAuthorization)}
         */
        @Deprecated
        public static Request join(int nodeId, byte[] commitment) {
            return new Request(Operation.JOIN, nodeId, null, commitment, null, null);
        }

        /**
         * A departure without authority: an evict by this gateway ({@link #evict}); a leave
         * without the device's signature, which the ledger refuses since issue 11.
         *
         * @deprecated use {@link #leave} or {@link #evict}
         */
        @Deprecated
        public static Request departure(Operation op, int nodeId) {
            return new Request(op, nodeId, null, null, null, null);
        }

        /** The operation's attempt as a previous run of this gateway sent it (from its journal). */
        static Request of(LedgerTx tx) {
            ChangeRecord r = tx.record();
            byte[] ext = tx.extension();
            // a co-signed evict's refresh key is what its co-signers signed: it must not change
            byte[] fixedRefresh = r.operation() == Operation.EVICT && ext.length > 0 ? r.refreshKey() : null;
            int node = r.operation() == Operation.ENROLL || r.operation() == Operation.ACTIVATE ? 0 : r.nodeId();
            Integer set = r.operation() == Operation.RENEW ? r.setId() : null; // a renewal names its set, not a node
            return new Request(r.operation(), node, set, r.secretCodeHash(), fixedRefresh, ext);
        }

        /**
         * The same request with a fixed set and commitment (null: the gateway's choice), for
         * testing the ledger's refusals through the control API: they are sent as they are.
         */
        public Request withOverrides(Integer setId, byte[] givenCommitment) {
            return new Request(operation, nodeId, setId, givenCommitment != null ? givenCommitment : commitment,
                    refreshKey, extension);
        }

        /** The device name the operation is about (enroll, activate, join, leave), or null. */
        public String deviceName() {
            try {
                return switch (operation) {
                    case ENROLL -> DeviceEnrollment.decode(extension).name();
                    case ACTIVATE -> IdentityActivation.decode(extension).name();
                    case JOIN, LEAVE -> DeviceAuthorization.decode(extension).name();
                    default -> null;
                };
            } catch (IdentityFormatException e) {
                return null;
            }
        }

        /** What names the operation in logs and in the journal: its node id, or its device name for enroll and activate. */
        String subject(int currentNodeId) {
            if (operation == Operation.ENROLL || operation == Operation.ACTIVATE) {
                return operation.name().toLowerCase() + ":" + deviceName();
            }
            if (operation == Operation.RENEW) {
                return "renew:set-" + setIdOverride;
            }
            return Integer.toString(currentNodeId);
        }
    }

    /**
     * The first answer (committed, accepted or refused) and the final one (committed or
     * refused). {@code secretCode} is the one the gateway made for a join (null when the caller
     * brought the commitment).
     */
    public record Submission(SubmitResult first, CompletableFuture<SubmitResult> landed, byte[] secretCode) {
        /** Never shows the secret code. */
        @Override
        public String toString() {
            return "Submission[" + first + "]";
        }
    }

    public Submission submit(Request request, SubmitMode mode) throws IOException, InterruptedException {
        return submit(request, mode, null);
    }

    /**
     * Submits an operation that needs another one committed first ({@code after}: a synthetic
     * join needs its enrollment). Both may land in one block; if a block or a recheck refuses
     * this one because the other was not yet there, it is built again once the other lands, and
     * refused if the other is refused.
     */
    public Submission submit(Request request, SubmitMode mode, CompletableFuture<SubmitResult> after)
            throws IOException, InterruptedException {
        TrackedOperation op = TrackedOperation.submitted(request, mode, random, after);
        SubmitResult first = mode == SubmitMode.COMMIT ? commitMode.run(op) : syncMode.submit(op);
        return new Submission(first, op.landed(), op.secretCode());
    }

    /**
     * Takes up the operations a previous run of this gateway acknowledged in sync mode but did
     * not see land: each is looked up on the chain and resent if it is not there.
     */
    public int recover() {
        return syncMode.recover();
    }

    /** A random node id nobody has used yet, on this node's mempool state. */
    public int freshNodeId() {
        return builder.freshNodeId();
    }

    @Override
    public void close() {
        syncMode.close();
        commitMode.close();
    }
}
