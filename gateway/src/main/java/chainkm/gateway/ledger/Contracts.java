package chainkm.gateway.ledger;

import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.ledger.TxFormatException;
import chainkm.protocol.sets.Assignment;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The ledger's "smart contracts" (kandi2020, section III.B): run on CheckTx and again when
 * a block executes. A transaction is accepted only if it is well formed, signed by a
 * consortium gateway, and carries the authority its operation needs:
 * <ul>
 *   <li>enroll, activate: see {@link IdentityContracts};</li>
 *   <li>join: node id never used before, the set id exactly what {@link Assignment} gives for
 *       the originating gateway on the current state, and the device's own signature over its
 *       commitment ({@link IdentityContracts#checkJoinAuthority});</li>
 *   <li>leave, evict: see {@link DepartureContracts};</li>
 *   <li>rejoin: the member with the next link of its rejoin chain, or a re-anchor signed by its
 *       identity key ({@link #checkReanchor});</li>
 *   <li>gateway removal: co-signed by more than two thirds of the consortium;</li>
 *   <li>renew: see {@link RenewContracts}.</li>
 *   <li>policy put and remove, token request and delete: see {@link AuthorizationContracts}.</li>
 * </ul>
 * Pure functions of (state, bytes, height, index): no clock, no randomness.
 */
public final class Contracts {
    private Contracts() {}

    /** A contract's answer. {@code tx} is null when the bytes did not parse. */
    public record Verdict(TxCode code, String log, LedgerTx tx) {
        public boolean accepted() {
            return code.accepted();
        }
    }

    /** Checks a transaction's signature under its gateway's key (the plain check, or one that remembers). */
    public interface SignatureCheck {
        boolean verify(LedgerTx tx, byte[] gatewayPublicKey);

        SignatureCheck PLAIN = LedgerTx::verifySignature;
    }

    /** Runs the checks without changing the state. */
    public static Verdict check(LedgerState state, byte[] bytes) {
        return check(state, bytes, SignatureCheck.PLAIN);
    }

    /** Runs the checks without changing the state, verifying the signature with {@code signatures}, for the next block. */
    public static Verdict check(LedgerState state, byte[] bytes, SignatureCheck signatures) {
        return check(state, bytes, signatures, state.height() + 1);
    }

    /** Runs the checks as for the block at {@code height} (tokens and vouchers are valid up to a height). */
    public static Verdict check(LedgerState state, byte[] bytes, SignatureCheck signatures, long height) {
        LedgerTx tx;
        try {
            tx = LedgerTx.decode(bytes);
        } catch (TxFormatException e) {
            return new Verdict(TxCode.of(e.reason()), e.getMessage(), null);
        }
        byte[] key = state.consortium().publicKey(tx.gatewayId());
        if (key == null) {
            return refuse(TxCode.UNKNOWN_GATEWAY, tx, "gateway " + tx.gatewayId());
        }
        if (!signatures.verify(tx, key)) {
            return refuse(TxCode.BAD_SIGNATURE, tx, "claimed gateway " + tx.gatewayId());
        }
        ChangeRecord r = tx.record();
        return switch (r.operation()) {
            case JOIN -> checkJoin(state, tx, r);
            case LEAVE, EVICT -> DepartureContracts.check(state, tx, r);
            case REJOIN -> checkRejoin(state, tx, r);
            case REMOVE_GATEWAY -> checkRemoval(state, tx, r);
            case ENROLL -> IdentityContracts.checkEnroll(state, tx);
            case ACTIVATE -> IdentityContracts.checkActivate(state, tx);
            case RENEW -> RenewContracts.check(state, tx, r);
            case POLICY_PUT, POLICY_REMOVE, TOKEN_REQUEST, TOKEN_DELETE -> AuthorizationContracts.check(state, tx, height);
        };
    }

    private static Verdict checkJoin(LedgerState state, LedgerTx tx, ChangeRecord r) {
        if (r.nodeId() <= 0) {
            return refuse(TxCode.INVALID_NODE_ID, tx, "node " + Integer.toUnsignedString(r.nodeId()));
        }
        if (state.nodeIdUsed(r.nodeId())) {
            return refuse(TxCode.NODE_ID_REUSED, tx, "node " + r.nodeId());
        }
        Verdict authority = IdentityContracts.checkJoinAuthority(state, tx, r);
        if (!authority.accepted()) {
            return authority;
        }
        int expected = Assignment.selectSet(state.layout(), tx.gatewayId());
        if (r.setId() != expected) {
            return refuse(TxCode.WRONG_SET, tx, "set " + r.setId() + ", Assignment gives " + expected);
        }
        return accept(tx);
    }

    /** A rejoin: the member, in its set, with the next link of its hash chain (carried in the hash field). */
    private static Verdict checkRejoin(LedgerState state, LedgerTx tx, ChangeRecord r) {
        Optional<NodeRecord> member = state.member(r.nodeId());
        if (member.isEmpty()) {
            return refuse(TxCode.NOT_A_MEMBER, tx, "node " + r.nodeId() + " (left, evicted or unknown)");
        }
        if (member.get().setId() != r.setId()) {
            return refuse(TxCode.SET_MISMATCH, tx, "node " + r.nodeId() + " is in set " + member.get().setId());
        }
        if (tx.extension().length > 0) {
            return checkReanchor(state, tx, r, member.get());
        }
        if (!RejoinChain.verifies(r.secretCodeHash(), member.get().secretCodeHash())) {
            return refuse(TxCode.BAD_REJOIN_PROOF, tx, "node " + r.nodeId());
        }
        return accept(tx);
    }

    /**
     * A re-anchor (a REJOIN with an extension): the member's identity signed "chainkm/v1/reanchor"
     * over its name, node id and the new anchor (the hash field), with the key the ledger holds
     * for it; the anchor was never a commitment of this identity, so a recorded re-anchor cannot
     * put the chain back to where its links are public.
     */
    private static Verdict checkReanchor(LedgerState state, LedgerTx tx, ChangeRecord r, NodeRecord member) {
        DeviceAuthorization auth;
        try {
            auth = DeviceAuthorization.decode(tx.extension());
        } catch (IdentityFormatException | IllegalArgumentException bad) {
            return refuse(TxCode.MALFORMED_EXTENSION, tx, "re-anchor authorization: " + bad.getMessage());
        }
        if (!auth.name().equals(member.identity())) {
            return refuse(TxCode.BAD_DEVICE_SIGNATURE, tx, "re-anchor of node " + r.nodeId() + " signed as " + auth.name()
                    + ", the member is " + member.identity());
        }
        Optional<DeviceIdentity> id = state.identity(auth.name());
        if (id.isEmpty() || !auth.verifiesReanchor(id.get().key(), r.nodeId(), r.secretCodeHash())) {
            return refuse(TxCode.BAD_DEVICE_SIGNATURE, tx, "re-anchor of node " + r.nodeId());
        }
        if (state.commitmentUsed(auth.name(), r.secretCodeHash())) {
            return refuse(TxCode.SECRET_HASH_REUSED, tx, "re-anchor of node " + r.nodeId() + " to a used anchor");
        }
        return accept(tx);
    }

    /** A gateway removal: the gateway is a member and more than two thirds of the consortium signed. */
    private static Verdict checkRemoval(LedgerState state, LedgerTx tx, ChangeRecord r) {
        int removed = r.nodeId();
        Consortium c = state.consortium();
        if (!c.contains(removed)) {
            return refuse(TxCode.NOT_A_MEMBER, tx, "gateway " + removed + " is not in the consortium");
        }
        if (c.size() <= 1) {
            return refuse(TxCode.NO_QUORUM, tx, "the last gateway cannot be removed");
        }
        List<Cosignatures.Cosignature> cosigs;
        try {
            cosigs = Cosignatures.parse(tx.extension());
        } catch (TxFormatException e) {
            return refuse(TxCode.MALFORMED_EXTENSION, tx, "co-signatures: " + e.getMessage());
        }
        Cosignatures.Tally tally = Cosignatures.tally(cosigs, GatewayRemoval.message(removed, r.refreshKey()),
                c::publicKey, id -> id == removed);
        if (!tally.valid()) {
            return refuse(TxCode.NO_QUORUM, tx, "co-signature of gateway " + tally.invalidSigner().getAsInt()
                    + " is not valid");
        }
        SortedSet<Integer> signers = new TreeSet<>(tally.signers());
        if (tx.gatewayId() != removed) {
            signers.add(tx.gatewayId()); // its signature was checked with the transaction's
        }
        int quorum = Cosignatures.quorum(c.size());
        if (signers.size() < quorum) {
            return refuse(TxCode.NO_QUORUM, tx, signers.size() + " of " + quorum + " needed signatures");
        }
        return accept(tx);
    }

    static Verdict accept(LedgerTx tx) {
        return new Verdict(TxCode.OK, TxCode.OK.description(), tx);
    }

    static Verdict refuse(TxCode code, LedgerTx tx, String detail) {
        return new Verdict(code, code.name() + ": " + code.description() + " (" + detail + ", " + tx.record() + ")", tx);
    }

    /**
     * Checks and, when accepted, applies the transaction to {@code state}. Returns the
     * verdict and, for accepted operations, the ledger entry it produced.
     */
    public static Outcome execute(LedgerState state, byte[] bytes, long height, int index) {
        return execute(state, bytes, height, index, SignatureCheck.PLAIN);
    }

    /** {@link #execute(LedgerState, byte[], long, int)} verifying the signature with {@code signatures}. */
    public static Outcome execute(LedgerState state, byte[] bytes, long height, int index, SignatureCheck signatures) {
        Verdict verdict = check(state, bytes, signatures, height);
        if (!verdict.accepted()) {
            return new Outcome(verdict, null, null);
        }
        LedgerTx tx = verdict.tx();
        ChangeRecord r = tx.record();
        switch (r.operation()) {
            case ENROLL, ACTIVATE -> {
                // identities change no key: no refresh entry
                return new Outcome(verdict, null, IdentityContracts.apply(state, tx, height));
            }
            case REJOIN -> {
                // the anchor moves down the chain; keys and sets stay as they are: no rekeying, no refresh entry
                NodeRecord m = state.member(r.nodeId()).orElseThrow();
                state.replaceMember(m.rejoined(r.secretCodeHash(), tx.gatewayId()));
                if (tx.extension().length > 0) {
                    state.useCommitment(m.identity(), r.secretCodeHash()); // a re-anchor: never again
                }
                return new Outcome(verdict, null, null);
            }
            case REMOVE_GATEWAY -> {
                return new Outcome(verdict, applyRemoval(state, tx, r, height, index), null);
            }
            case JOIN -> {
                state.layoutAdd(r.nodeId(), r.setId(), tx.gatewayId());
                DeviceIdentity joined = IdentityContracts.joined(state, tx, height);
                state.addMember(new NodeRecord(r.nodeId(), r.setId(), r.secretCodeHash(), tx.gatewayId(), height,
                        tx.gatewayId(), joined.name()));
                RefreshEntry entry = new RefreshEntry(height, index, r.operation(), r.nodeId(), r.setId(),
                        r.refreshKey(), tx.gatewayId(), List.of());
                state.appendRefresh(entry);
                return new Outcome(verdict, entry, joined);
            }
            case LEAVE, EVICT -> {
                return DepartureContracts.apply(state, verdict, height, index);
            }
            case RENEW -> {
                return new Outcome(verdict, RenewContracts.apply(state, tx, height, index), null);
            }
            case POLICY_PUT, POLICY_REMOVE, TOKEN_REQUEST, TOKEN_DELETE -> {
                // not key operations: no refresh entry
                return new Outcome(verdict, null, null, AuthorizationContracts.apply(state, tx, height));
            }
            default -> throw new IllegalStateException("no contract for " + r.operation());
        }
    }

    /**
     * Its later transactions are refused as UNKNOWN_GATEWAY; its next gateway adopts its sets and
     * renews their keys (a key operation, so every device hears of it).
     */
    private static RefreshEntry applyRemoval(LedgerState state, LedgerTx tx, ChangeRecord r, long height, int index) {
        int removed = r.nodeId();
        int successor = state.consortium().successorOf(removed);
        state.setConsortium(state.consortium().without(removed));
        state.addRemoval(new RemovalEntry(height, index, tx.encode())); // the adopter's proof to the devices
        if (state.layoutTransfer(removed, successor).isEmpty()) {
            return null;
        }
        RefreshEntry entry = new RefreshEntry(height, index, Operation.REMOVE_GATEWAY, removed, successor,
                r.refreshKey(), tx.gatewayId(), List.of());
        state.appendRefresh(entry);
        return entry;
    }

    /**
     * An executed transaction: its verdict, the ledger entry it produced (key operations) and the
     * device identity it changed (enroll, activate, join, leave, evict) and the token it granted
     * (token request), each null when none.
     */
    public record Outcome(Verdict verdict, RefreshEntry entry, DeviceIdentity identity, AccessToken token) {
        public Outcome(Verdict verdict, RefreshEntry entry, DeviceIdentity identity) {
            this(verdict, entry, identity, null);
        }
    }
}
