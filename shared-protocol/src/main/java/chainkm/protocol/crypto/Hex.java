package chainkm.protocol.crypto;

import java.util.HexFormat;

/** Lower-case hex, for identifiers and public values only: never for key bytes in logs. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {}

    public static String encode(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] decode(String hex) {
        String s = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        return HEX.parseHex(s.toLowerCase());
    }
}
