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
 *       (+100 ms a round), prevote and precommit 100 ms (+50 ms a round), commit 10 ms.
 *       Gossip: {@code [consensus] peer_gossip_sleep_duration} and {@code [p2p] flush_throttle_timeout}
 *       go from 100 ms to 1 ms. On loopback these two, not the timeouts, dominate (CometBFT
 *       v0.38.26): a message a p2p connection writes arms its flush timer and goes out when the
 *       timer fires, flush_throttle_timeout after the first unflushed write, unless the buffer
 *       fills first ({@code p2p/conn/connection.go}, {@code sendPacketMsgOnChannel} and
 *       {@code sendRoutine}); and a peer's proposal, block parts and votes are sent by polling
 *       routines that sleep peer_gossip_sleep_duration whenever they find nothing new
 *       ({@code consensus/reactor.go}, {@code gossipDataRoutine} and {@code gossipVotesRoutine}).
 *       A commit crosses three gossiped hops (proposal, prevotes, precommits), each paying up to
 *       both, and the transaction's own trip to the proposer pays the flush. The price is
 *       idle CPU: each validator's 2 routines per peer wake every millisecond; with four idle
 *       validators, CometBFT used about 0.22 of a core at 1 ms against 0.16 at 10 ms (see
 *       docs/benchmarks.md). {@code timeout_commit} only applies when a precommit is missing
 *       (see skip_timeout_commit below): 10 ms, CometBFT's own test setting, lets the next
 *       height start sooner after a slow validator.
 *       <p>Empty blocks: {@code create_empty_blocks = true} with
 *       {@code create_empty_blocks_interval = "1s"}. A validator then waits for transactions
 *       and proposes as soon as one arrives, but makes an empty block after one second without
 *       any. Without the interval (empty blocks on demand, CometBFT's default), a short commit
 *       timeout makes many blocks a second while idle (about eight at 50 ms), each with WAL fsyncs, a block
 *       store write and a round of signatures: measured with four idle validators on loopback,
 *       37% of one core and eight times the disk growth, against 16 to 21% of one core with
 *       the interval, which is what PAPER costs idle (about one block a second too). The
 *       heartbeat is kept on purpose: a stalled network shows as a height that stops growing,
 *       unlike an idle one, and block time stays fresh for anything that reads it.
 *       {@code create_empty_blocks = false} would idle cheaper still but lose both.
 *       <p>{@code skip_timeout_commit = true}: once every validator's precommit is in (the
 *       normal case on a LAN), the next height starts at once instead of after timeout_commit;
 *       a transaction that arrives just after a commit no longer waits for the next height to
 *       open. timeout_commit still applies when a validator is slow or down. Idle cost
 *       is unchanged (the empty-block interval still paces an idle chain).</li>
 * </ul>
 */
public enum Profile {
    PAPER(ms(3000), ms(500), ms(1000), ms(500), ms(1000), ms(500), ms(1000), true, Duration.ZERO,
            ms(100), ms(100), false),
    FAST(ms(400), ms(100), ms(100), ms(50), ms(100), ms(50), ms(10), true, Duration.ofSeconds(1),
            ms(1), ms(1), true);

    private final Duration timeoutPropose;
    private final Duration timeoutProposeDelta;
    private final Duration timeoutPrevote;
    private final Duration timeoutPrevoteDelta;
    private final Duration timeoutPrecommit;
    private final Duration timeoutPrecommitDelta;
    private final Duration timeoutCommit;
    private final boolean createEmptyBlocks;
    private final Duration createEmptyBlocksInterval;
    private final Duration peerGossipSleepDuration;
    private final Duration flushThrottleTimeout;
    private final boolean skipTimeoutCommit;

    Profile(Duration timeoutPropose, Duration timeoutProposeDelta, Duration timeoutPrevote,
            Duration timeoutPrevoteDelta, Duration timeoutPrecommit, Duration timeoutPrecommitDelta,
            Duration timeoutCommit, boolean createEmptyBlocks, Duration createEmptyBlocksInterval,
            Duration peerGossipSleepDuration, Duration flushThrottleTimeout, boolean skipTimeoutCommit) {
        this.timeoutPropose = timeoutPropose;
        this.timeoutProposeDelta = timeoutProposeDelta;
        this.timeoutPrevote = timeoutPrevote;
        this.timeoutPrevoteDelta = timeoutPrevoteDelta;
        this.timeoutPrecommit = timeoutPrecommit;
        this.timeoutPrecommitDelta = timeoutPrecommitDelta;
        this.timeoutCommit = timeoutCommit;
        this.createEmptyBlocks = createEmptyBlocks;
        this.createEmptyBlocksInterval = createEmptyBlocksInterval;
        this.peerGossipSleepDuration = peerGossipSleepDuration;
        this.flushThrottleTimeout = flushThrottleTimeout;
        this.skipTimeoutCommit = skipTimeoutCommit;
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

    /** [consensus] peer_gossip_sleep_duration: how long a gossip routine sleeps when it has nothing to send. */
    public Duration peerGossipSleepDuration() {
        return peerGossipSleepDuration;
    }

    /** [p2p] flush_throttle_timeout: how long a connection buffers small messages before sending. */
    public Duration flushThrottleTimeout() {
        return flushThrottleTimeout;
    }

    /**
     * [consensus] skip_timeout_commit: start the next height as soon as the precommits of every
     * validator are in, instead of always waiting timeout_commit.
     */
    public boolean skipTimeoutCommit() {
        return skipTimeoutCommit;
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
