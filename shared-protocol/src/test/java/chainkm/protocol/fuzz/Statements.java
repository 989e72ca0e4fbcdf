package chainkm.protocol.fuzz;

import static chainkm.protocol.fuzz.DecoderContract.decode;
import static chainkm.protocol.fuzz.DecoderContract.sameBytes;

import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.authz.CoseKey;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.PolicyRemoval;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.authz.Voucher;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.TxFormatException;
import java.util.List;

/**
 * The signed statements a transaction's extension carries, each decoded as the ledger's contracts
 * decode it, then encoded again (every one of them is a deterministic format), then used as the
 * contracts use it (signature checks, ids): none of that may throw on what the decoder accepted.
 */
final class Statements {
    private static final byte[] KEY = Samples.DEVICE.publicKey();

    private Statements() {}

    /** The extension of an {@code op} transaction, as the contract of {@code op} reads it. */
    static void extension(Operation op, byte[] ext) {
        switch (op) {
            case JOIN, LEAVE -> deviceAuthorization(ext);
            case REJOIN -> {
                if (ext.length > 0) {
                    deviceAuthorization(ext); // a re-anchor
                }
            }
            case EVICT -> {
                if (ext.length > 0) {
                    cosignatures(ext); // an evict by others than the set's owner
                }
            }
            case REMOVE_GATEWAY -> cosignatures(ext);
            case ENROLL -> enrollment(ext);
            case ACTIVATE -> activation(ext);
            case RENEW -> { } // carries nothing
            case POLICY_PUT -> policy(ext);
            case POLICY_REMOVE -> policyRemoval(ext);
            case TOKEN_REQUEST -> tokenRequest(ext);
            case TOKEN_DELETE -> tokenDeletion(ext);
        }
    }

    static void deviceAuthorization(byte[] bytes) {
        decode(IdentityFormatException.class, () -> DeviceAuthorization.decode(bytes)).ifPresent(a -> {
            sameBytes("device authorization", bytes, a.encode());
            a.verifiesJoin(KEY, Samples.COMMITMENT);
            a.verifiesLeave(KEY, 101);
            a.verifiesReanchor(KEY, 101, Samples.COMMITMENT);
        });
    }

    static void enrollment(byte[] bytes) {
        decode(IdentityFormatException.class, () -> DeviceEnrollment.decode(bytes))
                .ifPresent(e -> sameBytes("enrollment", bytes, e.encode()));
    }

    static void activation(byte[] bytes) {
        decode(IdentityFormatException.class, () -> IdentityActivation.decode(bytes)).ifPresent(a -> {
            sameBytes("activation", bytes, a.encode());
            a.verifies(KEY);
        });
    }

    static void cosignatures(byte[] bytes) {
        decode(TxFormatException.class, () -> Cosignatures.parse(bytes)).ifPresent(list -> {
            sameBytes("co-signatures", bytes, Cosignatures.extension(list));
            Cosignatures.tally(list, GatewayRemoval.message(4, new byte[16]), id -> id == 2 ? KEY : null, id -> id == 4);
        });
    }

    static void policy(byte[] bytes) {
        decode(AuthzFormatException.class, () -> Policy.decode(bytes)).ifPresent(p -> {
            sameBytes("policy", bytes, p.encode());
            p.verifies();
            p.id();
            p.allows(KEY);
            p.scope().within(Samples.SCOPE);
            p.toString();
        });
    }

    static void policyRemoval(byte[] bytes) {
        decode(AuthzFormatException.class, () -> PolicyRemoval.decode(bytes)).ifPresent(r -> {
            sameBytes("policy removal", bytes, r.encode());
            r.verifies(KEY);
        });
    }

    static void voucher(byte[] bytes) {
        decode(AuthzFormatException.class, () -> Voucher.decode(bytes)).ifPresent(v -> {
            sameBytes("voucher", bytes, v.encode());
            v.verifies(KEY);
        });
    }

    static void tokenRequest(byte[] bytes) {
        decode(AuthzFormatException.class, () -> TokenRequest.decode(bytes)).ifPresent(r -> {
            sameBytes("token request", bytes, r.encode());
            r.verifies();
            r.cti();
            r.scope().within(Samples.SCOPE);
            if (r.voucher() != null) {
                voucher(r.voucher()); // the contract reads it too
            }
        });
    }

    static void tokenDeletion(byte[] bytes) {
        decode(AuthzFormatException.class, () -> TokenDeletion.decode(bytes)).ifPresent(d -> {
            sameBytes("token deletion", bytes, d.encode());
            d.verifies();
            List<Cosignatures.Cosignature> cosigs = d.cosignatures();
            Cosignatures.tally(cosigs, TokenDeletion.cosignedMessage(d.cti()), id -> id == 2 ? KEY : null, id -> false);
        });
    }

    static void accessToken(byte[] bytes) {
        decode(AuthzFormatException.class, () -> AccessToken.decode(bytes)).ifPresent(t -> {
            sameBytes("access token", bytes, t.encode());
            t.liveAt(Long.MAX_VALUE);
            t.toString();
        });
    }

    static void coseKey(byte[] bytes) {
        decode(AuthzFormatException.class, () -> CoseKey.decode(bytes))
                .ifPresent(k -> sameBytes("COSE_Key", bytes, CoseKey.encode(k)));
    }

    static void aif(byte[] bytes) {
        decode(AuthzFormatException.class, () -> Aif.decode(bytes)).ifPresent(a -> {
            sameBytes("AIF scope", bytes, a.encode());
            a.within(Samples.SCOPE);
            a.toString();
        });
    }
}
