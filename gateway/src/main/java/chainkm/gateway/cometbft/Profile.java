package chainkm.gateway.cometbft;

import java.time.Duration;
import java.util.Locale;

/**
 * Consensus timing of a network. Every validator of one network must use the same profile.
 *
 * <ul>
 *   <li>{@link #PAPER}: CometBFT's defaults (timeout_commit 1 s, blocks made even when
 *       empty), the setting the paper measured. Use it to reproduce the paper's numbers.</li>
 *   <li>{@link #FAST}: tuned for validators on one LAN or on loopback: propose 400 ms
 *       (+100 ms a round), prevote and precommit 100 ms (+50 ms a round), commit 50 ms.
 *       A committed transaction takes tens of milliseconds instead of about a second.
 *       <p>Empty blocks: {@code create_empty_blocks = true} with
 *       {@code create_empty_blocks_interval = "1s"}. With a 50 ms commit timeout and empty
 *       blocks on demand, each validator would make about fifteen blocks a second while
 *       idle (each with a WAL fsync, a block store write and a round of signatures), which
 *       keeps four validators on a two-core box busy doing nothing. With the interval,
 *       a validator waits for transactions and proposes as soon as one arrives, but
 *       makes an empty block after at most one second without any: idle, FAST costs what
 *       PAPER costs (about one block a second), and the chain keeps a heartbeat, so a
 *       stalled network is told apart from an idle one by a height that stops growing, and
 *       block time stays fresh for anything that reads it. ({@code create_empty_blocks = false}
 *       would idle cheaper still, but lose both properties.)</li>
 * </ul>
 */
public enum Profile {
    PAPER(ms(3000), ms(500), ms(1000), ms(500), ms(1000), ms(500), ms(1000), true, Duration.ZERO),
    FAST(ms(400), ms(100), ms(100), ms(50), ms(100), ms(50), ms(50), true, Duration.ofSeconds(1));

    private final Duration timeoutPropose;
    private final Duration timeoutProposeDelta;
    private final Duration timeoutPrevote;
    private final Duration timeoutPrevoteDelta;
    private final Duration timeoutPrecommit;
    private final Duration timeoutPrecommitDelta;
    private final Duration timeoutCommit;
    private final boolean createEmptyBlocks;
    private final Duration createEmptyBlocksInterval;

    Profile(Duration timeoutPropose, Duration timeoutProposeDelta, Duration timeoutPrevote,
            Duration timeoutPrevoteDelta, Duration timeoutPrecommit, Duration timeoutPrecommitDelta,
            Duration timeoutCommit, boolean createEmptyBlocks, Duration createEmptyBlocksInterval) {
        this.timeoutPropose = timeoutPropose;
        this.timeoutProposeDelta = timeoutProposeDelta;
        this.timeoutPrevote = timeoutPrevote;
        this.timeoutPrevoteDelta = timeoutPrevoteDelta;
        this.timeoutPrecommit = timeoutPrecommit;
        this.timeoutPrecommitDelta = timeoutPrecommitDelta;
        this.timeoutCommit = timeoutCommit;
        this.createEmptyBlocks = createEmptyBlocks;
        this.createEmptyBlocksInterval = createEmptyBlocksInterval;
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /**
     * Parses "paper" or "fast", ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Profile parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (Profile p : values()) {
                if (p.name().toLowerCase(Locale.ROOT).equals(n)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("unknown consensus profile '" + name
                + "': expected 'paper' (CometBFT defaults, as the paper measured) or 'fast' (LAN/loopback)");
    }

    public Duration timeoutPropose() {
        return timeoutPropose;
    }

    public Duration timeoutProposeDelta() {
        return timeoutProposeDelta;
    }

    public Duration timeoutPrevote() {
        return timeoutPrevote;
    }

    public Duration timeoutPrevoteDelta() {
        return timeoutPrevoteDelta;
    }

    public Duration timeoutPrecommit() {
        return timeoutPrecommit;
    }

    public Duration timeoutPrecommitDelta() {
        return timeoutPrecommitDelta;
    }

    public Duration timeoutCommit() {
        return timeoutCommit;
    }

    public boolean createEmptyBlocks() {
        return createEmptyBlocks;
    }

    public Duration createEmptyBlocksInterval() {
        return createEmptyBlocksInterval;
    }

    /** A duration as CometBFT's config.toml writes it: "400ms", "1s", "0s". */
    static String goDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 == 0) {
            return (ms / 1000) + "s";
        }
        return ms + "ms";
    }
}
