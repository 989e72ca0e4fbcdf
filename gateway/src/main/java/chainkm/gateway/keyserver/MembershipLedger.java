package chainkm.gateway.keyserver;

import java.util.OptionalInt;

/** What the group sessions read of the latest committed ledger state: whether each member may stay, and devices' homes. */
public interface MembershipLedger {
    /** Where a member stands at the latest committed height. */
    enum Standing {
        /** a live token (judged at H + 1, as the key server judges), or the group's device, still a member of the ledger */
        LIVE,
        /** the token was deleted (on the revocation list), or the device left or was revoked */
        REVOKED,
        /** the token's exp is reached at the next block, or it left the state */
        EXPIRED
    }

    /** The standing of member {@code memberId} (a cti, or the device's own member id) of a group of {@code device}. */
    Standing standing(String device, byte[] memberId);

    /** The device's home gateway on the committed ledger; empty for an unknown device. */
    OptionalInt homeOf(String device);

    /** The latest committed height. */
    long height();
}
