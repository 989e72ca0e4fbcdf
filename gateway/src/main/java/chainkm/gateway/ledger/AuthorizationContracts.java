package chainkm.gateway.ledger;

import static chainkm.gateway.ledger.Contracts.accept;
import static chainkm.gateway.ledger.Contracts.refuse;

import chainkm.gateway.ledger.Contracts.Verdict;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.authz.Cbor;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.PolicyRemoval;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.authz.Voucher;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.LedgerTx;
import java.util.Arrays;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The authorization contracts (IoTChain on ACE): the ledger keeps owners' policies and grants
 * clients' tokens. The extension carries the owner's or client's signed statement, which the
 * relaying gateway cannot make or alter (its signature covers only the transaction); the
 * record's node id, set id and hash field are zero (the refresh key is a free nonce). These are
 * not key operations: nothing enters the refresh log.
 * <ul>
 *   <li>POLICY_PUT: signed by the owner the policy names; its id never used before; the device
 *       is unbound or bound to this owner; no live policy of the device shares a resource path.</li>
 *   <li>POLICY_REMOVE: a live policy, signed by its owner.</li>
 *   <li>TOKEN_REQUEST: signed by the client it names; its cti never used; the policy live, for
 *       the same device, its scope covering the request's, the lifetime at most the policy's;
 *       the client on the allow-list, or holding a voucher of the owner for this policy and
 *       client that is valid at this height; the client holds no live token under the policy.
 *       Grants {@link TokenRequest#grant} at this height.</li>
 *   <li>TOKEN_DELETE: a live token; signed by its client or its policy's owner, or co-signed by
 *       more than two thirds of the consortium (the transaction's signer counting as one).</li>
 * </ul>
 */
final class AuthorizationContracts {
    /** The largest extension an authorization operation carries. */
    static final int MAX_EXTENSION = Cbor.MAX_SIZE;

    private AuthorizationContracts() {}

    static Verdict check(LedgerState state, LedgerTx tx, long height) {
        ChangeRecord r = tx.record();
        byte[] ext = tx.extension();
        if (ext.length > MAX_EXTENSION) {
            return refuse(TxCode.MALFORMED_AUTHZ, tx, "extension of " + ext.length + " bytes, at most " + MAX_EXTENSION);
        }
        if (r.nodeId() != 0 || r.setId() != 0 || !Arrays.equals(r.secretCodeHash(), new byte[ChangeRecord.HASH_SIZE])) {
            return refuse(TxCode.MALFORMED_AUTHZ, tx, "node id, set id and hash field must be zero");
        }
        try {
            return switch (r.operation()) {
                case POLICY_PUT -> checkPut(state, tx, Policy.decode(ext));
                case POLICY_REMOVE -> checkRemove(state, tx, PolicyRemoval.decode(ext));
                case TOKEN_REQUEST -> checkRequest(state, tx, TokenRequest.decode(ext), height);
                case TOKEN_DELETE -> checkDelete(state, tx, TokenDeletion.decode(ext), height);
                default -> throw new IllegalArgumentException("not an authorization operation: " + r.operation());
            };
        } catch (AuthzFormatException e) {
            return refuse(TxCode.MALFORMED_AUTHZ, tx, e.getMessage());
        }
    }

    private static Verdict checkPut(LedgerState state, LedgerTx tx, Policy p) {
        if (!p.verifies()) {
            return refuse(TxCode.BAD_OWNER_SIGNATURE, tx, "policy for " + p.device());
        }
        if (state.policyIdUsed(p.id())) {
            return refuse(TxCode.REPLAYED_REQUEST, tx, "policy " + shortHex(p.id()) + " was put before");
        }
        Optional<byte[]> owner = state.deviceOwner(p.device());
        if (owner.isPresent() && !Arrays.equals(owner.get(), p.owner())) {
            return refuse(TxCode.NOT_ALLOWED, tx, "device " + p.device() + " belongs to owner "
                    + shortHex(owner.get()) + ", not " + shortHex(p.owner()));
        }
        for (Policy live : state.policies().values()) {
            if (live.device().equals(p.device())) {
                for (var e : p.scope().entries()) {
                    if (live.scope().methodsOn(e.path()) != 0) {
                        return refuse(TxCode.DUPLICATE, tx, "policy " + shortHex(live.id()) + " covers " + p.device()
                                + e.path() + " already");
                    }
                }
            }
        }
        return accept(tx);
    }

    private static Verdict checkRemove(LedgerState state, LedgerTx tx, PolicyRemoval removal) {
        Optional<Policy> p = state.policy(removal.policyId());
        if (p.isEmpty()) {
            return refuse(TxCode.UNKNOWN_POLICY, tx, "policy " + shortHex(removal.policyId()));
        }
        if (!removal.verifies(p.get().owner())) {
            return refuse(TxCode.BAD_OWNER_SIGNATURE, tx, "removal of policy " + shortHex(removal.policyId()));
        }
        return accept(tx);
    }

    private static Verdict checkRequest(LedgerState state, LedgerTx tx, TokenRequest req, long height)
            throws AuthzFormatException {
        String who = "client " + shortHex(req.client());
        if (!req.verifies()) {
            return refuse(TxCode.BAD_CLIENT_SIGNATURE, tx, "token request of " + who);
        }
        if (state.ctiUsed(req.cti())) {
            return refuse(TxCode.REPLAYED_REQUEST, tx, "cti " + Hex.encode(req.cti()) + " was granted before");
        }
        Optional<Policy> found = state.policy(req.policyId());
        if (found.isEmpty()) {
            return refuse(TxCode.UNKNOWN_POLICY, tx, "policy " + shortHex(req.policyId()) + " asked by " + who);
        }
        Policy p = found.get();
        if (!p.device().equals(req.device())) {
            return refuse(TxCode.NOT_ALLOWED, tx, "policy " + shortHex(p.id()) + " is for " + p.device() + ", not "
                    + req.device());
        }
        if (!req.scope().within(p.scope())) {
            return refuse(TxCode.NOT_ALLOWED, tx, "scope " + req.scope() + " is not within " + p.scope());
        }
        if (req.lifetime() > p.maxLifetime()) {
            return refuse(TxCode.LIFETIME_TOO_LONG, tx, req.lifetime() + " blocks, the policy allows "
                    + p.maxLifetime());
        }
        if (p.voucherMode()) {
            if (req.voucher() == null) {
                return refuse(TxCode.NOT_ALLOWED, tx, who + " has no voucher for a voucher-mode policy");
            }
            Voucher v = Voucher.decode(req.voucher());
            if (!v.verifies(p.owner())) {
                return refuse(TxCode.BAD_OWNER_SIGNATURE, tx, "voucher of " + who);
            }
            if (!v.isFor(p.id(), req.client())) {
                return refuse(TxCode.NOT_ALLOWED, tx, "the voucher is for another policy or client than " + who);
            }
            if (v.until() < height) {
                return refuse(TxCode.NOT_ALLOWED, tx, "the voucher of " + who + " ended at height " + v.until());
            }
        } else if (!p.allows(req.client())) {
            return refuse(TxCode.NOT_ALLOWED, tx, who + " is not on the allow-list of policy " + shortHex(p.id()));
        }
        for (TokenEntry t : state.tokensOf(req.client())) {
            if (Arrays.equals(t.policyId(), p.id()) && t.token().liveAt(height)) {
                return refuse(TxCode.DUPLICATE, tx, who + " holds token " + Hex.encode(t.token().cti())
                        + " under policy " + shortHex(p.id()));
            }
        }
        return accept(tx);
    }

    private static Verdict checkDelete(LedgerState state, LedgerTx tx, TokenDeletion d, long height) {
        Optional<TokenEntry> found = state.token(d.cti());
        if (found.isEmpty() || !found.get().token().liveAt(height)) {
            return refuse(TxCode.UNKNOWN_TOKEN, tx, "cti " + Hex.encode(d.cti()));
        }
        TokenEntry t = found.get();
        if (!d.cosigned()) {
            byte[] signer = d.signer();
            boolean byClient = Arrays.equals(signer, t.token().clientKey());
            boolean byOwner = Arrays.equals(signer, t.owner());
            if (!byClient && !byOwner) {
                return refuse(TxCode.DELETE_NOT_ALLOWED, tx, "key " + shortHex(signer) + " is neither the client nor "
                        + "the owner of token " + Hex.encode(d.cti()));
            }
            if (!d.verifies()) {
                return refuse(byClient ? TxCode.BAD_CLIENT_SIGNATURE : TxCode.BAD_OWNER_SIGNATURE, tx,
                        "deletion of token " + Hex.encode(d.cti()));
            }
            return accept(tx);
        }
        Consortium c = state.consortium();
        Cosignatures.Tally tally = Cosignatures.tally(d.cosignatures(), TokenDeletion.cosignedMessage(d.cti()),
                c::publicKey, id -> false);
        if (!tally.valid()) {
            return refuse(TxCode.DELETE_NOT_ALLOWED, tx, "co-signature of gateway " + tally.invalidSigner().getAsInt()
                    + " is not valid");
        }
        SortedSet<Integer> signers = new TreeSet<>(tally.signers());
        signers.add(tx.gatewayId()); // its signature was checked with the transaction's
        int quorum = Cosignatures.quorum(c.size());
        if (signers.size() < quorum) {
            return refuse(TxCode.DELETE_NOT_ALLOWED, tx, signers.size() + " of " + quorum
                    + " needed gateway signatures for token " + Hex.encode(d.cti()));
        }
        return accept(tx);
    }

    /** Applies an accepted authorization operation; returns the token it granted, if any. */
    static AccessToken apply(LedgerState state, LedgerTx tx, long height) {
        byte[] ext = tx.extension();
        try {
            switch (tx.record().operation()) {
                case POLICY_PUT -> state.putPolicy(Policy.decode(ext));
                case POLICY_REMOVE -> state.removePolicy(PolicyRemoval.decode(ext).policyId());
                case TOKEN_REQUEST -> {
                    TokenRequest req = TokenRequest.decode(ext);
                    Policy p = state.policy(req.policyId()).orElseThrow();
                    AccessToken token = req.grant(height);
                    state.addToken(new TokenEntry(token, p.id(), p.owner()));
                    return token;
                }
                case TOKEN_DELETE -> state.revokeToken(TokenDeletion.decode(ext).cti(), height);
                default -> throw new IllegalArgumentException("not an authorization operation");
            }
        } catch (AuthzFormatException e) {
            throw new IllegalStateException("an accepted authorization statement no longer parses", e);
        }
        return null;
    }

    private static String shortHex(byte[] b) {
        return Hex.encode(b).substring(0, 16);
    }
}
