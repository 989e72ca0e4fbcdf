package chainkm.protocol.ledger;

/** The network change a ledger record announces (the paper's Fig. 3 "operation" byte). New operations take new codes. */
public enum Operation {
    /**
     * A device joins: extension = the device's {@link chainkm.protocol.identity.DeviceAuthorization}
     * over its name and commitment, by its identity's current key.
     */
    JOIN(1),
    /** A member leaves: extension = its {@link chainkm.protocol.identity.DeviceAuthorization} over its name and node id. */
    LEAVE(2),
    /**
     * A member is evicted: signed by the owner gateway of its set (no extension), or carrying
     * {@link Cosignatures} over {@link Eviction#message} of more than two thirds of the consortium.
     */
    EVICT(3),
    /**
     * A member reattaches to another gateway, proving it is that member with the next link of
     * its {@link RejoinChain}; no rekeying follows (the paper's point: a rejoin is cheap).
     * With an extension it is a re-anchor instead: the hash field holds the anchor of a new
     * chain and the extension the device's {@link chainkm.protocol.identity.DeviceAuthorization}
     * over its name, node id and that anchor (for a chain used up or out of the skip window).
     */
    REJOIN(4),
    /**
     * Removes a gateway from the consortium: node id = the removed gateway's id, refresh key =
     * a nonce, extension = co-signatures ({@link Cosignatures} over {@link GatewayRemoval#message}); needs a two-thirds quorum.
     */
    REMOVE_GATEWAY(5),
    /**
     * Enrolls a device name with the public half of its one-time enrollment key (extension:
     * {@link chainkm.protocol.identity.DeviceEnrollment}); signed by the enrolling gateway.
     */
    ENROLL(6),
    /**
     * A device replaces its enrollment key with the identity key it generated itself (extension:
     * {@link chainkm.protocol.identity.IdentityActivation}, signed by both keys).
     */
    ACTIVATE(7),
    /**
     * The owner gateway of a set renews every key of it (cryptoperiods, issue 12): set id = the
     * set, node id 0, a zero hash, refresh key random, no extension. Its set key, its members'
     * node keys and pairwise node keys and its pairwise set keys are replaced by fresh ones.
     */
    RENEW(8),
    /**
     * A resource owner puts an access policy (extension: a {@link chainkm.protocol.authz.Policy}
     * signed by the owner). Not a key operation: no refresh entry. Record fields other than the
     * operation and the refresh key (a free nonce) are zero.
     */
    POLICY_PUT(9),
    /** The owner removes its policy (extension: a {@link chainkm.protocol.authz.PolicyRemoval}). */
    POLICY_REMOVE(10),
    /**
     * A client asks for an access token (extension: its {@link chainkm.protocol.authz.TokenRequest},
     * relayed unchanged by a gateway); the contract grants an {@link chainkm.protocol.authz.AccessToken}.
     */
    TOKEN_REQUEST(11),
    /**
     * A token is deleted (revoked) by its client, the policy's owner, or more than two thirds of
     * the gateways (extension: a {@link chainkm.protocol.authz.TokenDeletion}).
     */
    TOKEN_DELETE(12);

    private final int code;

    Operation(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The operation for a code, or null when no operation has that code. */
    public static Operation fromCode(int code) {
        for (Operation op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        return null;
    }

    public static Operation parse(String name) {
        for (Operation op : values()) {
            if (op.name().equalsIgnoreCase(name)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation '" + name + "' (expected join, leave, evict, rejoin, remove_gateway, enroll, activate, renew, policy_put, policy_remove, token_request or token_delete)");
    }
}
