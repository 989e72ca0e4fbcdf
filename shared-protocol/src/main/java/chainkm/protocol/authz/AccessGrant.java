package chainkm.protocol.authz;

import chainkm.protocol.identity.DeviceName;
import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A key server's answer to an {@link AccessRequest} (chainkm/v1), in the manner of RFC 9594's
 * join response: content format 261 (application/ace-groupcomm+cbor), a deterministic CBOR map
 * whose keys are RFC 9594's registered abbreviations ("ACE Groupcomm Parameters"):
 * <pre>
 *   1  gname                  [tstr]      the group: the device followed by the resource path ({@code lamp-1/light})
 *   7  gkty                   int         -65537: a chainkm member personal secret (private-use value)
 *   8  key                    bstr 32     the client's personal secret for the group (the self-healing scheme's S_i)
 *   9  num                    uint        the version of the group's keying material (0 until group sessions exist)
 *   10 ace_groupcomm_profile  int         -65537: chainkm/v1 (private-use value)
 *   11 exp                    uint        the token's exp: the block height from which the material must not be used
 *   12 exi                    uint        blocks left: exp - (the answering key server's committed height + 1), at least 1
 * </pre>
 * exp and exi count blocks, not seconds as in RFC 9594: the ledger's height is chainkm's clock
 * (the token's exp is a height too). {@link #toString()} never shows the key.
 */
public final class AccessGrant {
    /** CoAP content format of application/ace-groupcomm+cbor (RFC 9594). */
    public static final int CONTENT_FORMAT = 261;
    /** The personal secret's size. */
    public static final int KEY_SIZE = 32;
    /** gkty of a chainkm member personal secret: RFC 9594's private-use range (below -65536). */
    public static final long GKTY_PERSONAL_SECRET = -65537;
    /** ace_groupcomm_profile of chainkm/v1: RFC 9594's private-use range; a new wire version takes a new value. */
    public static final long PROFILE_CHAINKM_V1 = -65537;
    static final int GNAME = 1;
    static final int GKTY = 7;
    static final int KEY = 8;
    static final int NUM = 9;
    static final int PROFILE = 10;
    static final int EXP = 11;
    static final int EXI = 12;

    private final String group;
    private final byte[] key;
    private final long num;
    private final long exp;
    private final long exi;

    /**
     * @throws IllegalArgumentException if the group is not a device name followed by an AIF path,
     *         the key not {@link #KEY_SIZE} bytes, num negative, or exi not between 1 and exp
     */
    public AccessGrant(String group, byte[] key, long num, long exp, long exi) {
        checkGroup(group);
        if (key == null || key.length != KEY_SIZE) {
            throw new IllegalArgumentException("a personal secret is " + KEY_SIZE + " bytes");
        }
        if (num < 0) {
            throw new IllegalArgumentException("num is not negative");
        }
        if (exi < 1 || exi > exp) {
            throw new IllegalArgumentException("exi is 1 to exp blocks");
        }
        this.group = group;
        this.key = key.clone();
        this.num = num;
        this.exp = exp;
        this.exi = exi;
    }

    /** A group name is a device name followed by an AIF resource path. */
    static void checkGroup(String group) {
        int slash = group == null ? -1 : group.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("a group name is a device name followed by a resource path");
        }
        DeviceName.check(group.substring(0, slash));
        new Aif.Entry(group.substring(slash), Aif.GET);
    }

    public byte[] encode() {
        return Cbor.encode(CBORObject.NewMap()
                .Add(GNAME, CBORObject.NewArray().Add(group))
                .Add(GKTY, GKTY_PERSONAL_SECRET)
                .Add(KEY, key)
                .Add(NUM, num)
                .Add(PROFILE, PROFILE_CHAINKM_V1)
                .Add(EXP, exp)
                .Add(EXI, exi));
    }

    /** Decodes a grant: every field present, gkty and profile chainkm/v1's, nothing else. */
    public static AccessGrant decode(byte[] bytes) throws AuthzFormatException {
        Cbor.Fields f = new Cbor.Fields(Cbor.decode(bytes, "access grant"), "access grant",
                Set.of(GNAME, GKTY, KEY, NUM, PROFILE, EXP, EXI));
        List<CBORObject> gname = Cbor.array(f.get(GNAME), 1, 1, "access grant gname");
        String group = Cbor.text(gname.get(0), "access grant gname");
        expect(f.get(GKTY), GKTY_PERSONAL_SECRET, "gkty");
        expect(f.get(PROFILE), PROFILE_CHAINKM_V1, "ace_groupcomm_profile");
        try {
            return new AccessGrant(group, f.bytes(KEY, KEY_SIZE), f.uint(NUM), f.uint(EXP), f.uint(EXI));
        } catch (IllegalArgumentException e) {
            throw new AuthzFormatException("access grant: " + e.getMessage());
        }
    }

    private static void expect(CBORObject v, long expected, String what) throws AuthzFormatException {
        if (v.getType() != CBORType.Integer || !v.CanValueFitInInt64() || v.AsInt64Value() != expected) {
            throw new AuthzFormatException("access grant: " + what + " is not chainkm/v1's " + expected);
        }
    }

    public String group() {
        return group;
    }

    /** The personal secret (a copy: the caller clears it when done). */
    public byte[] key() {
        return key.clone();
    }

    public long num() {
        return num;
    }

    public long exp() {
        return exp;
    }

    public long exi() {
        return exi;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessGrant g && group.equals(g.group) && Arrays.equals(key, g.key) && num == g.num
                && exp == g.exp && exi == g.exi;
    }

    @Override
    public int hashCode() {
        return Objects.hash(group, num, exp, exi);
    }

    /** Never shows the key, only its size. */
    @Override
    public String toString() {
        return "AccessGrant[group=" + group + " num=" + num + " exp=" + exp + " exi=" + exi + " key=(" + key.length
                + " bytes)]";
    }
}
