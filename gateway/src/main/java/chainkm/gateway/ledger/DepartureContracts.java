package chainkm.gateway.ledger;

import static chainkm.gateway.ledger.Contracts.accept;
import static chainkm.gateway.ledger.Contracts.refuse;

import chainkm.gateway.ledger.Contracts.Outcome;
import chainkm.gateway.ledger.Contracts.Verdict;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.Eviction;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.TxFormatException;
import chainkm.protocol.sets.SetMove;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The contracts of a member's departure. Both need a member whose node id, set id and
 * commitment (hash field) match its record, and the authority to remove it:
 * <ul>
 *   <li>LEAVE: the device's own {@link DeviceAuthorization} over its name and node id, by its
 *       identity's current key;</li>
 *   <li>EVICT: signed by the owner gateway of the member's set (no extension), or carrying
 *       {@link Cosignatures} over {@link Eviction#message} (nonce: the refresh key) that make,
 *       with the transaction's signer, more than two thirds of the consortium.</li>
 * </ul>
 * Either one revokes the device's identity: it comes back only with a new enrollment.
 */
final class DepartureContracts {
    private DepartureContracts() {}

    static Verdict check(LedgerState state, LedgerTx tx, ChangeRecord r) {
        Optional<NodeRecord> found = state.member(r.nodeId());
        if (found.isEmpty()) {
            return refuse(TxCode.NOT_A_MEMBER, tx, "node " + r.nodeId());
        }
        NodeRecord member = found.get();
        if (member.setId() != r.setId()) {
            return refuse(TxCode.SET_MISMATCH, tx, "node " + r.nodeId() + " is in set " + member.setId()
                    + ", not " + r.setId());
        }
        if (!member.hashEquals(r.secretCodeHash())) {
            return refuse(TxCode.SECRET_HASH_MISMATCH, tx, "node " + r.nodeId());
        }
        return r.operation() == Operation.LEAVE ? checkLeave(state, tx, member) : checkEvict(state, tx, member);
    }

    private static Verdict checkLeave(LedgerState state, LedgerTx tx, NodeRecord member) {
        DeviceAuthorization auth;
        try {
            auth = DeviceAuthorization.decode(tx.extension());
        } catch (IdentityFormatException | IllegalArgumentException bad) {
            return refuse(TxCode.MALFORMED_EXTENSION, tx, "leave authorization: " + bad.getMessage());
        }
        if (!auth.name().equals(member.identity())) {
            return refuse(TxCode.BAD_DEVICE_SIGNATURE, tx, "signed as " + auth.name() + ", node " + member.nodeId()
                    + " is " + member.identity());
        }
        DeviceIdentity id = state.identity(member.identity()).orElseThrow(); // a member's identity exists
        if (!auth.verifiesLeave(id.key(), member.nodeId())) {
            return refuse(TxCode.BAD_DEVICE_SIGNATURE, tx, "leave of " + auth.name());
        }
        return accept(tx);
    }

    private static Verdict checkEvict(LedgerState state, LedgerTx tx, NodeRecord member) {
        int owner = state.layout().ownerOf(member.setId());
        byte[] extension = tx.extension();
        if (extension.length == 0) {
            if (tx.gatewayId() != owner) {
                return refuse(TxCode.EVICT_NOT_AUTHORIZED, tx, "gateway " + tx.gatewayId() + " alone, set "
                        + member.setId() + " is gateway " + owner + "'s");
            }
            return accept(tx);
        }
        List<Cosignatures.Cosignature> cosigs;
        try {
            cosigs = Cosignatures.parse(extension);
        } catch (TxFormatException e) {
            return refuse(TxCode.MALFORMED_EXTENSION, tx, "co-signatures: " + e.getMessage());
        }
        Consortium c = state.consortium();
        Cosignatures.Tally tally = Cosignatures.tally(cosigs, Eviction.message(member.nodeId(), tx.record().refreshKey()),
                c::publicKey, id -> false);
        if (!tally.valid()) {
            return refuse(TxCode.EVICT_NOT_AUTHORIZED, tx, "co-signature of gateway " + tally.invalidSigner().getAsInt()
                    + " is not valid");
        }
        SortedSet<Integer> signers = new TreeSet<>(tally.signers());
        signers.add(tx.gatewayId()); // its signature was checked with the transaction's
        int quorum = Cosignatures.quorum(c.size());
        if (signers.size() < quorum) {
            return refuse(TxCode.EVICT_NOT_AUTHORIZED, tx, signers.size() + " of " + quorum + " needed signatures");
        }
        return accept(tx);
    }

    /** Removes the member, runs Reorder among its set owner's sets, and revokes its identity. */
    static Outcome apply(LedgerState state, Verdict verdict, long height, int index) {
        LedgerTx tx = verdict.tx();
        ChangeRecord r = tx.record();
        NodeRecord member = state.member(r.nodeId()).orElseThrow();
        // sets are aligned with gateways: Reorder stays among the sets of the leaver's set's owner
        int owner = state.layout().ownerOf(r.setId());
        state.layoutRemove(r.nodeId());
        state.removeMember(r.nodeId());
        List<SetMove> moves = state.layoutReorderAfterLeave(r.setId(), owner);
        for (SetMove m : moves) {
            state.moveMember(m.nodeId(), m.toSetId());
        }
        DeviceIdentity revoked = IdentityContracts.revoke(state, member, height);
        RefreshEntry entry = new RefreshEntry(height, index, r.operation(), r.nodeId(), r.setId(),
                r.refreshKey(), tx.gatewayId(), moves);
        state.appendRefresh(entry);
        return new Outcome(verdict, entry, revoked);
    }
}
