package chainkm.gateway.mqtt;

import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;

/** Keeps Moquette and Netty at WARN in tests (they log every connection at INFO/DEBUG). */
final class QuietLogs {

    private QuietLogs() {}

    static void apply() {
        for (String name : new String[] {"io.moquette", "io.netty", "com.zaxxer", "org.h2"}) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(Level.WARN);
            }
        }
    }
}
