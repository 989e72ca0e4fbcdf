package chainkm.gateway.ledger;

import static chainkm.gateway.ledger.Contracts.accept;
import static chainkm.gateway.ledger.Contracts.refuse;

import chainkm.gateway.ledger.Contracts.Verdict;
import chainkm.gateway.ledger.DeviceIdentity.State;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import java.util.Arrays;
import java.util.Optional;

/**
 * The contracts of device identities (trust model): what makes a device's authority on the
 * ledger, and how a join proves it has it.
 * <ul>
 *   <li>ENROLL (extension {@link DeviceEnrollment}, by the enrolling gateway): the name is
 *       unknown or revoked, the enrollment key was never any identity's key;</li>
 *   <li>ACTIVATE (extension {@link IdentityActivation}): the identity is enrolled and never
 *       joined, both signatures hold (the enrolled key's and the new key's), the new key was
 *       never any identity's key;</li>
 *   <li>JOIN (extension {@link DeviceAuthorization}): the identity is enrolled or active, never
 *       joined, and its current key signed the commitment; the commitment was never used by
 *       this identity (uniqueness is scoped to the identity: a copied commitment is useless).</li>
 * </ul>
 * Enroll and activate carry node 0, set 0 and a zero hash in their record.
 */
final class IdentityContracts {
    private IdentityContracts() {}

    static Verdict checkEnroll(LedgerState state, LedgerTx tx) {
        Verdict blank = checkBlankRecord(tx);
        if (blank != null) {
            return blank;
        }
        DeviceEnrollment e;
        try {
            e = DeviceEnrollment.decode(tx.extension());
        } catch (IdentityFormatException | IllegalArgumentException bad) {
            return refuse(TxCode.MALFORMED_EXTENSION, tx, bad.getMessage());
        }
        Optional<DeviceIdentity> existing = state.identity(e.name());
        if (existing.isPresent() && existing.get().state() != State.REVOKED) {
            return refuse(TxCode.NAME_TAKEN, tx, existing.get().toString());
        }
        Optional<String> owner = state.keyOwner(e.enrollmentKey());
        if (owner.isPresent()) {
            return refuse(TxCode.KEY_IN_USE, tx, "enrollment of " + e.name() + " with a key of " + owner.get());
        }
        return accept(tx);
    }

    static Verdict checkActivate(LedgerState state, LedgerTx tx) {
        Verdict blank = checkBlankRecord(tx);
        if (blank != null) {
            return blank;
        }
        IdentityActivation a;
        try {
            a = IdentityActivation.decode(tx.extension());
        } catch (IdentityFormatException | IllegalArgumentException bad) {
            return refuse(TxCode.MALFORMED_EXTENSION, tx, bad.getMessage());
        }
        Optional<DeviceIdentity> id = state.identity(a.name());
        if (id.isEmpty()) {
            return refuse(TxCode.UNKNOWN_IDENTITY, tx, a.name());
        }
        if (id.get().state() == State.REVOKED) {
            return refuse(TxCode.IDENTITY_REVOKED, tx, id.get().toString());
        }
        if (id.get().state() != State.ENROLLED || id.get().everJoined()) {
            return refuse(TxCode.IDENTITY_NOT_ENROLLED, tx, id.get().toString());
        }
        if (!a.verifies(id.get().key())) {
            return refuse(TxCode.BAD_DEVICE_SIGNATURE, tx, "activation of " + a.name());
        }
        Optional<String> owner = state.keyOwner(a.identityKey());
        if (owner.isPresent()) {
            return refuse(TxCode.KEY_IN_USE, tx, "activation of " + a.name() + " with a key of " + owner.get());
        }
        return accept(tx);
    }

    /** The device's part of a join; an accepted verdict when the device authorized it. */
    static Verdict checkJoinAuthority(LedgerState state, LedgerTx tx, ChangeRecord r) {
        DeviceAuthorization auth;
        try {
            auth = DeviceAuthorization.decode(tx.extension());
        } catch (IdentityFormatException | IllegalArgumentException bad) {
            return refuse(TxCode.MALFORMED_EXTENSION, tx, "join authorization: " + bad.getMessage());
        }
        Optional<DeviceIdentity> id = state.identity(auth.name());
        if (id.isEmpty()) {
            return refuse(TxCode.UNKNOWN_IDENTITY, tx, auth.name());
        }
        if (id.get().state() == State.REVOKED) {
            return refuse(TxCode.IDENTITY_REVOKED, tx, id.get().toString());
        }
        if (id.get().everJoined()) {
            return refuse(TxCode.ALREADY_JOINED, tx, id.get().toString());
        }
        if (!auth.verifiesJoin(id.get().key(), r.secretCodeHash())) {
            return refuse(TxCode.BAD_DEVICE_SIGNATURE, tx, "join of " + auth.name());
        }
        if (state.commitmentUsed(auth.name(), r.secretCodeHash())) {
            return refuse(TxCode.SECRET_HASH_REUSED, tx, "by " + auth.name());
        }
        return accept(tx);
    }

    /** Applies an accepted enroll or activate; returns the identity as it now is. */
    static DeviceIdentity apply(LedgerState state, LedgerTx tx, long height) {
        DeviceIdentity changed;
        try {
            switch (tx.record().operation()) {
                case ENROLL -> {
                    DeviceEnrollment e = DeviceEnrollment.decode(tx.extension());
                    changed = new DeviceIdentity(e.name(), State.ENROLLED, e.enrollmentKey(), tx.gatewayId(), height, 0);
                }
                case ACTIVATE -> {
                    IdentityActivation a = IdentityActivation.decode(tx.extension());
                    changed = state.identity(a.name()).orElseThrow().activated(a.identityKey(), height);
                }
                default -> throw new IllegalStateException(tx.record().operation() + " is no identity operation");
            }
        } catch (IdentityFormatException e) {
            throw new IllegalStateException("an accepted transaction no longer parses", e);
        }
        state.putIdentity(changed);
        return changed;
    }

    /** Applies the identity's side of an accepted join: it is now a member under the join's node id. */
    static DeviceIdentity joined(LedgerState state, LedgerTx tx, long height) {
        try {
            String name = DeviceAuthorization.decode(tx.extension()).name();
            DeviceIdentity changed = state.identity(name).orElseThrow().joined(tx.record().nodeId(), height);
            state.putIdentity(changed);
            return changed;
        } catch (IdentityFormatException e) {
            throw new IllegalStateException("an accepted transaction no longer parses", e);
        }
    }

    /** Revokes the identity of a departing member; returns it as it now is. */
    static DeviceIdentity revoke(LedgerState state, NodeRecord member, long height) {
        DeviceIdentity changed = state.identity(member.identity()).orElseThrow().revoked(height);
        state.putIdentity(changed);
        return changed;
    }

    /** Enroll and activate name no node: their record is blank, so that nothing in it can mean anything. */
    private static Verdict checkBlankRecord(LedgerTx tx) {
        ChangeRecord r = tx.record();
        if (r.nodeId() != 0 || r.setId() != 0 || !Arrays.equals(r.secretCodeHash(), new byte[ChangeRecord.HASH_SIZE])) {
            return refuse(TxCode.MALFORMED_EXTENSION, tx, r.operation() + " carries node 0, set 0 and a zero hash");
        }
        return null;
    }
}
