package chainkm.gateway.keyserver;

import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.keys.Kdf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Personal secrets derived from each group's master secret, until part 2's self-healing scheme
 * replaces them: S = HKDF-SHA256(ikm = the group's master secret, no salt,
 * info = "chainkm/v1/group/member" || cti, 32 bytes). The cti binds the secret to one token, so
 * two members of a group never share one, and the same token always gets the same one (also
 * after a restart, and through any key server, since only the home gateway derives it). num is 0:
 * there are no group sessions yet.
 */
public final class DerivedMemberSecrets implements MemberSecrets {
    static final byte[] INFO = "chainkm/v1/group/member".getBytes(StandardCharsets.US_ASCII);

    private final GroupSecretStore store;

    public DerivedMemberSecrets(GroupSecretStore store) {
        this.store = store;
    }

    @Override
    public MemberSecret personalSecret(String group, byte[] cti) throws IOException {
        byte[] master = store.masterSecret(group);
        byte[] info = Arrays.copyOf(INFO, INFO.length + cti.length);
        System.arraycopy(cti, 0, info, INFO.length, cti.length);
        byte[] key = Kdf.derive(master, null, info, AccessGrant.KEY_SIZE);
        try {
            return new MemberSecret(key, 0);
        } finally {
            Arrays.fill(master, (byte) 0);
            Arrays.fill(key, (byte) 0);
        }
    }
}
