package chainkm.protocol.authz;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.identity.DeviceName;
import com.upokecenter.cbor.CBORObject;
import java.util.Arrays;
import java.util.Set;

/**
 * An access token as the ledger grants and keeps it (ACE, RFC 9200): a CWT claims set (RFC 8392)
 * in deterministic CBOR, unsigned (the ledger's consensus vouches for it, not a signature):
 * <pre>
 *   3 aud    tstr      the device's name
 *   4 exp    uint      the block height at which the token expires (it is live below it)
 *   6 iat    uint      the block height that granted it
 *   7 cti    bstr 16   unique: derived from the request ({@link TokenRequest#cti()})
 *   8 cnf    {1: COSE_Key}  the client's Ed25519 key (RFC 8747), the proof-of-possession key
 *   9 scope  bstr      the AIF scope's deterministic CBOR ({@link Aif#encode()}); ACE's scope is a byte string
 * </pre>
 */
public record AccessToken(String audience, Aif scope, long exp, long iat, byte[] cti, byte[] clientKey) {
    static final int AUD = 3;
    static final int EXP = 4;
    static final int IAT = 6;
    static final int CTI = 7;
    static final int CNF = 8;
    static final int SCOPE = 9;
    static final int CNF_COSE_KEY = 1;

    public AccessToken {
        DeviceName.check(audience);
        if (cti == null || cti.length != TokenRequest.CTI_SIZE) {
            throw new IllegalArgumentException("a cti is " + TokenRequest.CTI_SIZE + " bytes");
        }
        if (clientKey == null || clientKey.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("a cnf key is a 32-byte Ed25519 public key");
        }
        if (iat < 0 || exp <= iat) {
            throw new IllegalArgumentException("a token expires after it is issued");
        }
        cti = cti.clone();
        clientKey = clientKey.clone();
    }

    public byte[] encode() {
        CBORObject cnf = CBORObject.NewMap().Add(CNF_COSE_KEY, CoseKey.toCbor(clientKey));
        return Cbor.encode(CBORObject.NewMap().Add(AUD, audience).Add(EXP, exp).Add(IAT, iat).Add(CTI, cti)
                .Add(CNF, cnf).Add(SCOPE, scope.encode()));
    }

    public static AccessToken decode(byte[] bytes) throws AuthzFormatException {
        Cbor.Fields f = new Cbor.Fields(Cbor.decode(bytes, "access token"), "access token",
                Set.of(AUD, EXP, IAT, CTI, CNF, SCOPE));
        Cbor.Fields cnf = new Cbor.Fields(f.get(CNF), "cnf", Set.of(CNF_COSE_KEY));
        byte[] key = CoseKey.fromCbor(cnf.get(CNF_COSE_KEY), "cnf COSE_Key");
        try {
            return new AccessToken(f.text(AUD), Aif.decode(f.bytes(SCOPE, -1)), f.uint(EXP), f.uint(IAT),
                    f.bytes(CTI, TokenRequest.CTI_SIZE), key);
        } catch (IllegalArgumentException e) {
            throw new AuthzFormatException("access token: " + e.getMessage());
        }
    }

    /** True at block heights below exp. */
    public boolean liveAt(long height) {
        return height < exp;
    }

    @Override
    public byte[] cti() {
        return cti.clone();
    }

    @Override
    public byte[] clientKey() {
        return clientKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessToken t && Arrays.equals(encode(), t.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(cti);
    }

    @Override
    public String toString() {
        return "AccessToken[cti=" + Hex.encode(cti) + " aud=" + audience + " scope=" + scope + " exp=" + exp + "]";
    }
}
