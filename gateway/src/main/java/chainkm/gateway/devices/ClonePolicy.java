package chainkm.gateway.devices;

import java.util.Locale;

/** What a gateway does with an identity it caught being used twice (gateway.toml {@code clone_policy}). */
public enum ClonePolicy {
    /** Submit an EVICT: every copy of the device loses its keys. */
    EVICT,
    /** Refuse the node here (DTLS, rejoin) from now on; the ledger keeps it. */
    BLOCK,
    /** Only log it. */
    LOG;

    public static ClonePolicy parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("clone_policy must be evict, block or log, not '" + text + "'");
        }
    }
}
