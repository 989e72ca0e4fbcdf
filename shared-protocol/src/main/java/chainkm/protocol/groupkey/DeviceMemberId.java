package chainkm.protocol.groupkey;

import chainkm.protocol.crypto.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The member id of a device in the groups of its own resources (it holds no token, so no cti):
 * the first 16 bytes of SHA-256("chainkm/v1/group/device" || its name in ASCII). A cti is the
 * first 16 bytes of SHA-256 under another label ("chainkm/v1/authz/cti"), so the two never meet.
 */
public final class DeviceMemberId {
    static final byte[] LABEL = "chainkm/v1/group/device".getBytes(StandardCharsets.US_ASCII);

    private DeviceMemberId() {}

    public static byte[] of(String device) {
        return Arrays.copyOf(Sha256.hash(LABEL, device.getBytes(StandardCharsets.US_ASCII)), PersonalSecret.CTI_SIZE);
    }
}
