package chainkm.gateway.mqtt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The attacker's standard client: {@code mosquitto_sub} (Debian package mosquitto-clients) over
 * TLS with the broker's certificate as its CA and no host-name check, as anyone on the LAN
 * who copied the certificate would run it.
 */
final class MosquittoSub {
    record Result(int exit, String output) {}

    private MosquittoSub() {}

    static Path binary() {
        for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, "mosquitto_sub");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("mosquitto_sub is not installed: install the Debian package 'mosquitto-clients'");
    }

    /**
     * Subscribes to {@code topic} as {@code user}/{@code password} with client id {@code clientId},
     * waits up to {@code seconds} for one message; the exit code and everything printed.
     */
    static Result subscribe(int port, Path caFile, String user, String password, String clientId, String topic,
                            int seconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary().toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-V", "mqttv311", "--cafile", caFile.toString(), "--insecure", "-i", clientId, "-t", topic,
                "-q", "1", "-C", "1", "-W", Integer.toString(seconds), "-v"));
        if (user != null) {
            cmd.addAll(List.of("-u", user, "-P", password));
        }
        return run(cmd, seconds);
    }

    /** The same in clear (no TLS options): what a client that skips TLS gets. */
    static Result subscribePlain(int port, String user, String password, String clientId, String topic)
            throws IOException, InterruptedException {
        return run(List.of(binary().toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-V", "mqttv311",
                "-i", clientId, "-t", topic, "-C", "1", "-W", "3", "-u", user, "-P", password), 3);
    }

    private static Result run(List<String> cmd, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(seconds + 10L, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("mosquitto_sub did not exit: " + cmd);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
