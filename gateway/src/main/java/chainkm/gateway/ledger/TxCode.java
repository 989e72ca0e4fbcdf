package chainkm.gateway.ledger;

import chainkm.protocol.ledger.TxFormatException;

/**
 * Every answer the ledger contracts give, with its ABCI code. Zero accepts; each refusal has
 * its own code so that a gateway, a test or an operator reading CometBFT's RPC knows why.
 * Codes are part of the interface: never renumber, only append.
 */
public enum TxCode {
    OK(0, "accepted"),
    EMPTY(1, "empty transaction"),
    TRUNCATED(2, "truncated transaction"),
    TRAILING_BYTES(3, "bytes after the signature"),
    UNSUPPORTED_VERSION(4, "unsupported transaction version (garbage?)"),
    UNKNOWN_OPERATION(5, "unknown operation"),
    EXTENSION_TOO_LARGE(6, "extension too large"),
    UNKNOWN_GATEWAY(7, "gateway is not in the consortium"),
    BAD_SIGNATURE(8, "signature does not verify under the gateway's key"),
    INVALID_NODE_ID(9, "node id must be positive"),
    NODE_ID_REUSED(10, "node id already used"),
    SECRET_HASH_REUSED(11, "secret-code hash (commitment) already used by this device identity"),
    WRONG_SET(12, "set id differs from the Assignment algorithm's choice"),
    NOT_A_MEMBER(13, "node is not a member"),
    SET_MISMATCH(14, "set id does not match the member's set"),
    SECRET_HASH_MISMATCH(15, "secret-code hash does not match the member's"),
    BAD_REJOIN_PROOF(16, "rejoin proof does not hash to the member's current anchor (replayed or forged)"),
    NO_QUORUM(17, "a gateway removal needs valid signatures of more than two thirds of the consortium"),
    MALFORMED_EXTENSION(18, "the extension (or a record field the operation leaves zero) is malformed"),
    UNKNOWN_IDENTITY(19, "no device identity of that name is enrolled"),
    NAME_TAKEN(20, "the device name is enrolled already (only a revoked name is enrolled again)"),
    IDENTITY_REVOKED(21, "the device identity is revoked (it left or was evicted): only a new enrollment brings it back"),
    IDENTITY_NOT_ENROLLED(22, "only an enrolled identity that has not joined is activated"),
    KEY_IN_USE(23, "the key is (or was) the key of a device identity"),
    BAD_DEVICE_SIGNATURE(24, "the device's signature does not verify under its identity's key"),
    ALREADY_JOINED(25, "the device identity is a member already, or was one"),
    EVICT_NOT_AUTHORIZED(26, "an evict is signed by the owner of the device's set, or co-signed by more than two "
            + "thirds of the consortium"),
    RENEW_NOT_OWNER(27, "a set's keys are renewed only by the owner gateway of the set"),
    UNKNOWN_SET(28, "no set has that id"),
    RENEW_TOO_SOON(29, "the set was renewed too recently (at most once per " + RenewContracts.MIN_BLOCKS_BETWEEN
            + " blocks)"),
    // 40-49: the authorization contracts (AuthorizationContracts)
    UNKNOWN_POLICY(40, "no live policy has that id"),
    BAD_OWNER_SIGNATURE(41, "the resource owner's signature does not verify"),
    BAD_CLIENT_SIGNATURE(42, "the client's signature does not verify (a gateway cannot make a client's request)"),
    NOT_ALLOWED(43, "the policy does not allow it (client, device, scope, voucher, or another owner's device)"),
    LIFETIME_TOO_LONG(44, "the requested lifetime is longer than the policy allows"),
    DUPLICATE(45, "a live policy covers that resource already, or the client holds a live token under that policy"),
    REPLAYED_REQUEST(46, "that statement was recorded before (a policy id or cti is used once)"),
    UNKNOWN_TOKEN(47, "no live token has that cti (deleted, expired or never granted)"),
    DELETE_NOT_ALLOWED(48, "a token is deleted by its client, its policy's owner, or more than two thirds of the "
            + "gateways"),
    MALFORMED_AUTHZ(49, "the authorization statement is malformed, too large, or its record fields are not zero");

    public static final String CODESPACE = "chainkm";

    private final int code;
    private final String description;

    TxCode(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    public boolean accepted() {
        return this == OK;
    }

    public static TxCode of(TxFormatException.Reason reason) {
        return switch (reason) {
            case EMPTY -> EMPTY;
            case TRUNCATED -> TRUNCATED;
            case TRAILING_BYTES -> TRAILING_BYTES;
            case UNSUPPORTED_VERSION -> UNSUPPORTED_VERSION;
            case UNKNOWN_OPERATION -> UNKNOWN_OPERATION;
            case EXTENSION_TOO_LARGE -> EXTENSION_TOO_LARGE;
        };
    }

    /** The code for an ABCI code number, or null for a code chainkm never gives. */
    public static TxCode fromCode(int code) {
        for (TxCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
