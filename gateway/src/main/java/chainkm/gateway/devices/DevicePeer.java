package chainkm.gateway.devices;

import chainkm.gateway.ledger.DeviceIdentity;
import java.util.Objects;

/**
 * Who sent a device request, decided per request from the raw public key its DTLS session
 * authenticated and the committed ledger at that moment (so a revocation takes effect without
 * a new handshake): the identity's name, where it stands, its node (0 before it joined) and
 * whether the session's key is the one-time enrollment key (an identity not activated yet).
 */
public record DevicePeer(String name, State state, int nodeId, boolean enrollmentSession) {
    /** A peer is never a revoked identity: the transport refuses those before it makes one. */
    public enum State {
        ENROLLED, ACTIVE
    }

    public DevicePeer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        if (nodeId < 0) {
            throw new IllegalArgumentException("node id " + nodeId);
        }
    }

    /**
     * The peer of an identity the ledger found by the session's key, or null for a revoked one.
     * The key is the identity's current key, so an ENROLLED identity's is the enrollment key.
     */
    public static DevicePeer of(DeviceIdentity identity) {
        return switch (identity.state()) {
            case ENROLLED -> new DevicePeer(identity.name(), State.ENROLLED, identity.node(), true);
            case ACTIVE -> new DevicePeer(identity.name(), State.ACTIVE, identity.node(), false);
            case REVOKED -> null;
        };
    }

    /** True once it joined and while it is a member (a revoked identity is never a peer). */
    public boolean isMember() {
        return nodeId != 0;
    }

    @Override
    public String toString() {
        return "device " + name + (nodeId != 0 ? " (node " + nodeId + ")" : "") + (enrollmentSession ? " [enrollment key]" : "");
    }
}
