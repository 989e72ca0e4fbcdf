package chainkm.testbed;

import chainkm.gateway.cometbft.Profile;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The device agent as a Pi runs it: the size of the image overlay's {@code /opt/chainkm} (the
 * distribution) and the resident memory of the agent started by the image's own launcher
 * (which passes {@code -Xmx32m}, mock board) while it joins, is rekeyed by a stream of joins and
 * sends a reading every second. RSS is sampled from {@code /proc/PID/status} (VmRSS, VmHWM).
 */
public final class AgentFootprint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AgentFootprint() {}

    public record Result(ObjectNode json, String markdown) {}

    public static Result run(Path image, int rekeys) throws Exception {
        if (!Files.isRegularFile(image)) {
            throw new IOException(image + " not found: run `make image` (or `make build`) first");
        }
        ObjectNode json = JSON.createObjectNode();
        Path work = Files.createTempDirectory("chainkm-bench-agent-");
        Path root = Files.createDirectories(work.resolve("root"));
        Process tar = new ProcessBuilder("tar", "-xzf", image.toString(), "-C", root.toString())
                .redirectErrorStream(true).start();
        String tarOut = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (tar.waitFor() != 0) {
            throw new IOException("tar failed: " + tarOut);
        }
        long dist = size(root.resolve("opt/chainkm"));
        long libs = size(root.resolve("opt/chainkm/lib"));
        json.put("image_tar_gz_bytes", Files.size(image)).put("distribution_bytes", dist).put("lib_bytes", libs);
        System.out.printf("bench: device distribution %.2f MB (/opt/chainkm), image %.2f MB compressed%n", dist / 1e6,
                Files.size(image) / 1e6);

        Path netDir = work.resolve("net");
        TestnetGenerator.generate(netDir, 2, Profile.FAST);
        try (Testnet net = Testnet.start(netDir); SimulatedDevices sim = SimulatedDevices.start(awaitReady(net, netDir),
                "peer", 1)) {
            SimulatedDevices.Device peer = sim.get("peer1");
            Files.createDirectories(root.resolve("var/lib/chainkm"));
            Path thermal = root.resolve("sys/class/thermal/thermal_zone0/temp");
            Files.createDirectories(thermal.getParent());
            Files.writeString(thermal, "45000\n");
            Path boot = root.resolve("boot/firmware/chainkm");
            if (new CommandLine(new ChainkmCli()).execute("provision", "--device", "footprint", "--dir", netDir.toString(),
                    "--out", boot.toString()) != 0) {
                throw new IOException("provision failed");
            }
            int port;
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Files.writeString(root.resolve("etc/chainkm/agent.properties"), String.join("\n", "",
                    "d2d.bind=127.0.0.1:" + port, "peer.node=" + peer.node(),
                    "peer.address=127.0.0.1:" + peer.agent().d2dAddress().getPort(), "peer.send_interval_s=1", ""),
                    java.nio.file.StandardOpenOption.APPEND);
            Path log = work.resolve("agent.log");
            ProcessBuilder pb = new ProcessBuilder(root.resolve("opt/chainkm/bin/chainkm-agent").toString(), "--config",
                    "/etc/chainkm/agent.properties").redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("CHAINKM_ROOT", root.toString());
            pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            Process agent = pb.start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (!Files.readString(log).contains("state: JOINED")) {
                    if (!agent.isAlive() || System.nanoTime() > deadline) {
                        throw new IOException("the agent did not join:\n" + Files.readString(log));
                    }
                    Thread.sleep(100);
                }
                long peak = 0;
                for (int i = 0; i < rekeys; i++) {
                    net.client(1 + i % 2).submit(JSON.createObjectNode().put("op", "join").put("mode", "commit"),
                            Duration.ofSeconds(60));
                    peak = Math.max(peak, rssKb(agent.pid(), "VmRSS"));
                }
                for (int i = 0; i < 50; i++) { // ten more seconds of readings sent and rekeys applied
                    Thread.sleep(200);
                    peak = Math.max(peak, rssKb(agent.pid(), "VmRSS"));
                }
                long hwm = rssKb(agent.pid(), "VmHWM");
                long received = peer.inbox().stream().filter(r -> r.text().contains("celsius")).count();
                if (received == 0) {
                    throw new IllegalStateException("the agent's readings never reached its peer");
                }
                json.put("xmx", "32m").put("rss_peak_kb", peak).put("rss_high_water_kb", hwm).put("rekeys", rekeys)
                        .put("readings_received", received);
                String md = String.format("%n## Device agent footprint%n%n| | measured | target |%n|---|---|---|%n"
                        + "| distribution (`/opt/chainkm` of the image) | %.2f MB (libraries %.2f MB; tar.gz %.2f MB) | at most 6 MB |%n"
                        + "| resident memory, `-Xmx32m`, joined, %d rekeys, a reading a second | peak %.1f MB (VmHWM %.1f MB) | at most 96 MB |%n",
                        dist / 1e6, libs / 1e6, Files.size(image) / 1e6, rekeys, peak / 1024.0, hwm / 1024.0);
                return new Result(json, md);
            } finally {
                agent.destroy();
                agent.waitFor();
            }
        }
    }

    private static Path awaitReady(Testnet net, Path dir) throws InterruptedException {
        net.awaitReady(Duration.ofSeconds(180));
        return dir;
    }

    private static long rssKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

}
