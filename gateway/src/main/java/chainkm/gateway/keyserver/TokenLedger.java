package chainkm.gateway.keyserver;

import java.time.Duration;

/** The key server's view of the committed ledger: never a cache, every call reads the latest committed state. */
public interface TokenLedger {
    /** What the latest committed state says about the token {@code cti} and the device {@code device}, at one height. */
    TokenFacts facts(byte[] cti, String device);

    /** The latest committed height. */
    long height();

    /**
     * Waits until the committed height is at least {@code height}, at most {@code timeout}.
     *
     * @return true once it is, false on timeout
     */
    boolean awaitHeight(long height, Duration timeout) throws InterruptedException;
}
