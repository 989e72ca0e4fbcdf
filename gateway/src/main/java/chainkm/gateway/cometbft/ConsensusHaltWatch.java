package chainkm.gateway.cometbft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches CometBFT's log for a halted consensus. On a block it cannot accept (above all a wrong
 * app hash: this validator's ledger state is no longer the consortium's) CometBFT stops its
 * consensus but keeps the process running, so nothing exits and the gateway would look alive
 * while never committing again. The watch says so once, as an error in the gateway's own log,
 * and {@link #halted()} gives the reason to the status API.
 */
final class ConsensusHaltWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsensusHaltWatch.class);
    private static final String HALT = "CONSENSUS FAILURE!!!";
    private static final String WRONG_APP_HASH = "wrong Block.Header.AppHash";
    private static final long POLL_MS = 1000;
    /** Read at most this much per poll: a flood of log lines cannot make the gateway allocate without bound. */
    private static final int MAX_READ = 1 << 20;

    private final String name;
    private final Path log;
    private final Thread thread;
    private volatile long offset;
    private volatile String halted;
    private volatile boolean closed;

    private ConsensusHaltWatch(String name, Path log, long offset) {
        this.name = name;
        this.log = log;
        this.offset = offset;
        this.thread = new Thread(this::run, "cometbft-halt-watch-" + name);
        this.thread.setDaemon(true);
    }

    /** Watches what {@code log} gets from now on. */
    static ConsensusHaltWatch start(String name, Path log) throws IOException {
        ConsensusHaltWatch w = new ConsensusHaltWatch(name, log, Files.exists(log) ? Files.size(log) : 0);
        w.thread.start();
        return w;
    }

    /** Why CometBFT halted this validator's consensus, if it did. */
    Optional<String> halted() {
        return Optional.ofNullable(halted);
    }

    private void run() {
        // a line cut by a read boundary is searched again with the next chunk
        String carry = "";
        while (!closed && halted == null) {
            try {
                Thread.sleep(POLL_MS);
                String chunk = readNew();
                String text = carry + chunk;
                int at = text.indexOf(HALT);
                if (at >= 0) {
                    int end = text.indexOf('\n', at);
                    String line = end < 0 ? text.substring(at) : text.substring(at, end);
                    report(line);
                }
                carry = text.length() > HALT.length() + WRONG_APP_HASH.length()
                        ? text.substring(text.length() - HALT.length()) : text;
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                // the log may be rotated or not yet created: try again at the next poll
            }
        }
    }

    private String readNew() throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        try (FileChannel ch = FileChannel.open(log)) {
            long size = ch.size();
            if (size < offset) {
                offset = 0; // truncated: start over
            }
            int n = (int) Math.min(MAX_READ, size - offset);
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                // until n bytes are in
            }
            offset += buf.position();
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    private void report(String line) {
        boolean appHash = line.contains(WRONG_APP_HASH);
        halted = appHash ? "wrong app hash: this validator's ledger state differs from the consortium's"
                : "consensus failure: see " + log;
        if (appHash) {
            LOG.error("CometBFT of {} halted its consensus on a wrong app hash: this validator's ledger state is not "
                    + "the consortium's, and it will commit no more blocks. Restore its state or resync this node "
                    + "(docs/operating-gateways.md). CometBFT said: {}", name, printable(line));
        } else {
            LOG.error("CometBFT of {} halted its consensus; it will commit no more blocks. CometBFT said: {}", name,
                    printable(line));
        }
    }

    private static String printable(String line) {
        String s = line.length() > 300 ? line.substring(0, 300) + "..." : line;
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
