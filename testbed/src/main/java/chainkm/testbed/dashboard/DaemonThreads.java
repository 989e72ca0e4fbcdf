package chainkm.testbed.dashboard;

import java.util.concurrent.ThreadFactory;

/** The dashboard's background threads are daemons: they never keep a stopping testnet alive. */
final class DaemonThreads {
    private DaemonThreads() {}

    static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
