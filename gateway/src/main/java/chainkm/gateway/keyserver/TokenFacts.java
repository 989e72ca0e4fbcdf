package chainkm.gateway.keyserver;

import chainkm.protocol.authz.AccessToken;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What one committed ledger state says about one token and one device, read at once (under the
 * ledger's lock) so that the checks see a single height:
 *
 * @param height      the committed height
 * @param token       the token with the cti, while it is in state (it leaves at the first block at or after its exp)
 * @param revokedAt   the height of the block that deleted it, while it is on the revocation list
 * @param ctiUsed     whether the ledger ever granted a token with this cti (true also once it left the state)
 * @param homeGateway the device's home gateway: the owner of its set while it is a member, else the
 *                    gateway that enrolled it; empty when the ledger knows no identity of that name
 */
public record TokenFacts(long height, Optional<AccessToken> token, OptionalLong revokedAt, boolean ctiUsed,
                         OptionalInt homeGateway) {
    public TokenFacts {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(homeGateway, "homeGateway");
    }
}
