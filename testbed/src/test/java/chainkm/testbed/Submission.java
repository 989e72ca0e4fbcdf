package chainkm.testbed;

import java.io.IOException;
import java.time.Duration;

/**
 * One key operation about to be submitted through a gateway's control API, finished by the
 * mode it is submitted in: {@code net.join(1).commit()}, {@code net.leave(2, node).sync()},
 * {@code net.evict(3, node).syncAndAwaitLanded()}.
 */
final class Submission {
    private final RunningTestnet net;
    private final int gateway;
    private final String op;
    private final Integer node;
    private Duration timeout = RunningTestnet.SUBMIT_TIMEOUT;

    Submission(RunningTestnet net, int gateway, String op, Integer node) {
        this.net = net;
        this.gateway = gateway;
        this.op = op;
        this.node = node;
    }

    /** How long the gateway may take to answer (default {@link RunningTestnet#SUBMIT_TIMEOUT}). */
    Submission within(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** Commit mode: the gateway answers once the operation is committed, or refused. */
    SubmitAnswer commit() throws IOException, InterruptedException {
        return send("commit", false);
    }

    /** Sync mode: the gateway answers once the operation is accepted, and resubmits it until it lands. */
    SubmitAnswer sync() throws IOException, InterruptedException {
        return send("sync", false);
    }

    /** Sync mode, and the answer also carries where the operation landed ({@link SubmitAnswer#landed()}). */
    SubmitAnswer syncAndAwaitLanded() throws IOException, InterruptedException {
        return send("sync", true);
    }

    private SubmitAnswer send(String mode, boolean waitLanded) throws IOException, InterruptedException {
        return new SubmitAnswer(net.submit(gateway, op, mode, node, waitLanded, timeout));
    }
}
