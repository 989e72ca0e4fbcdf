package chainkm.hardware;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The device agent's configuration, {@code /etc/chainkm/agent.properties} (a Java properties
 * file; every key is optional). Immutable once loaded. Every path is absolute and, with a root
 * other than {@code /} ({@link #load(Path, Path)}), read below that root: an image checked in a
 * temporary directory runs with exactly its installed configuration.
 *
 * <table>
 * <caption>keys</caption>
 * <tr><td>{@code state.dir}</td><td>{@code /var/lib/chainkm}: the key store, the rejoin seed, the provisioning bundle once moved</td></tr>
 * <tr><td>{@code bundle.boot}</td><td>{@code /boot/firmware/chainkm/provisioning.properties}: where a field engineer puts the bundle</td></tr>
 * <tr><td>{@code board}</td><td>{@code auto} (a Raspberry Pi if {@code /proc/device-tree/model} says so, else the mock), {@code pi} or {@code mock}</td></tr>
 * <tr><td>{@code gpio.led}, {@code gpio.button}</td><td>BCM pin numbers: 17 and 27</td></tr>
 * <tr><td>{@code button.active_low}</td><td>{@code true}: the button connects the pin to ground (internal pull-up)</td></tr>
 * <tr><td>{@code button.long_ms}, {@code button.very_long_ms}</td><td>1500 and 5000: a press at least this long is long (sleep or wake) or very long (leave)</td></tr>
 * <tr><td>{@code d2d.bind}</td><td>{@code 0.0.0.0:5700}: where D2D messages arrive</td></tr>
 * <tr><td>{@code peer.node}, {@code peer.address}</td><td>the device a short press sends a sensor reading to (node id, HOST:PORT); none by default</td></tr>
 * <tr><td>{@code peer.send_interval_s}</td><td>0: if positive, also send a reading to the peer this often</td></tr>
 * <tr><td>{@code sensor}</td><td>{@code soc} (the SoC temperature, {@code sensor.soc_path} = {@code /sys/class/thermal/thermal_zone0/temp}) or {@code i2c}</td></tr>
 * <tr><td>{@code sensor.i2c.bus}, {@code sensor.i2c.address}, {@code sensor.i2c.register}</td><td>1, 0x48, 0: a TMP102-style temperature register (12 bits, 0.0625 °C)</td></tr>
 * <tr><td>{@code objects.resources}</td><td>none: the protected resources it publishes, comma-separated paths
 *     ({@code /temperature}); each reading of the sensor is sealed under the resource's group session key, signed,
 *     pushed to its gateway's proxy and served on {@code objects.port}</td></tr>
 * <tr><td>{@code objects.interval_ms}</td><td>10000: how often it publishes a reading of each (0: never by itself)</td></tr>
 * <tr><td>{@code objects.port}</td><td>0: the plain CoAP port serving the latest objects (0: not served)</td></tr>
 * <tr><td>{@code gateway.timeout_ms}</td><td>20000: the longest one request to a gateway may take</td></tr>
 * <tr><td>{@code gateway.orphan_after_ms}</td><td>10000: MQTT down this long, then a CoAP probe as long: the gateway is
 *     gone and the agent rejoins the next one</td></tr>
 * </table>
 */
public record AgentConfig(Path root, Path stateDir, Path bootBundle, String board, Path boardModel, int ledPin,
                          int buttonPin, boolean buttonActiveLow, Duration longPress, Duration veryLongPress,
                          InetSocketAddress d2dBind, Integer peerNode, InetSocketAddress peerAddress,
                          Duration peerSendInterval, String sensor, Path socTemperature, int i2cBus, int i2cAddress,
                          int i2cRegister, Duration gatewayTimeout, Duration orphanAfter, List<String> objectResources,
                          Duration objectsInterval, int objectsPort) {

    public static final Set<String> KEYS = Set.of("state.dir", "bundle.boot", "board", "gpio.led", "gpio.button",
            "button.active_low", "button.long_ms", "button.very_long_ms", "d2d.bind", "peer.node", "peer.address",
            "peer.send_interval_s", "sensor", "sensor.soc_path", "sensor.i2c.bus", "sensor.i2c.address",
            "sensor.i2c.register", "gateway.timeout_ms", "gateway.orphan_after_ms", "objects.resources",
            "objects.interval_ms", "objects.port");

    /** The bundle's name in the state directory. */
    public static final String BUNDLE_FILE = "provisioning.properties";

    public Path stateBundle() {
        return stateDir.resolve(BUNDLE_FILE);
    }

    /** Loads {@code file} (itself read below {@code root}); unknown keys and bad values are errors. */
    public static AgentConfig load(Path root, Path file) throws IOException {
        Path f = reroot(root, file);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> values = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if (!KEYS.contains(k)) {
                throw new IOException(f + ": unknown key '" + k + "' (known: " + new java.util.TreeSet<>(KEYS) + ")");
            }
            values.put(k, p.getProperty(k).trim());
        }
        try {
            return of(root, values);
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": " + e.getMessage());
        }
    }

    /** The configuration with {@code values} over the defaults. */
    public static AgentConfig of(Path root, Map<String, String> values) {
        Values v = new Values(values);
        String board = v.get("board", "auto");
        if (!Set.of("auto", "pi", "mock").contains(board)) {
            throw new IllegalArgumentException("board must be auto, pi or mock, not '" + board + "'");
        }
        String sensor = v.get("sensor", "soc");
        if (!Set.of("soc", "i2c").contains(sensor)) {
            throw new IllegalArgumentException("sensor must be soc or i2c, not '" + sensor + "'");
        }
        long longMs = v.number("button.long_ms", 1500);
        long veryLongMs = v.number("button.very_long_ms", 5000);
        if (longMs < 100 || veryLongMs <= longMs) {
            throw new IllegalArgumentException("need 100 <= button.long_ms < button.very_long_ms");
        }
        String peerNode = v.get("peer.node", "");
        String peerAddress = v.get("peer.address", "");
        if (peerNode.isEmpty() != peerAddress.isEmpty()) {
            throw new IllegalArgumentException("peer.node and peer.address go together");
        }
        return new AgentConfig(root,
                reroot(root, Path.of(v.get("state.dir", "/var/lib/chainkm"))),
                reroot(root, Path.of(v.get("bundle.boot", "/boot/firmware/chainkm/provisioning.properties"))),
                board,
                reroot(root, Path.of("/proc/device-tree/model")),
                (int) v.pin("gpio.led", 17),
                (int) v.pin("gpio.button", 27),
                Boolean.parseBoolean(v.get("button.active_low", "true")),
                Duration.ofMillis(longMs), Duration.ofMillis(veryLongMs),
                address(v.get("d2d.bind", "0.0.0.0:5700"), "d2d.bind"),
                peerNode.isEmpty() ? null : (int) v.number("peer.node", 0),
                peerAddress.isEmpty() ? null : address(peerAddress, "peer.address"),
                Duration.ofSeconds(v.number("peer.send_interval_s", 0)),
                sensor,
                reroot(root, Path.of(v.get("sensor.soc_path", "/sys/class/thermal/thermal_zone0/temp"))),
                (int) v.number("sensor.i2c.bus", 1),
                (int) v.number("sensor.i2c.address", 0x48),
                (int) v.number("sensor.i2c.register", 0),
                Duration.ofMillis(v.number("gateway.timeout_ms", 20000)),
                Duration.ofMillis(v.number("gateway.orphan_after_ms", 10000)),
                resources(v.get("objects.resources", "")),
                Duration.ofMillis(v.number("objects.interval_ms", 10000)),
                (int) v.port("objects.port", 0));
    }

    private static List<String> resources(String text) {
        List<String> out = new java.util.ArrayList<>();
        for (String p : text.split(",")) {
            String path = p.trim();
            if (path.isEmpty()) {
                continue;
            }
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
                throw new IllegalArgumentException("objects.resources are paths starting with '/', not '" + path + "'");
            }
            out.add(path);
        }
        return List.copyOf(out);
    }

    /** {@code path} (absolute) below {@code root}; {@code root} {@code /} changes nothing. */
    static Path reroot(Path root, Path path) {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("paths must be absolute: " + path);
        }
        return root.resolve(path.getRoot().relativize(path)).normalize();
    }

    static InetSocketAddress address(String text, String key) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(key + " must be HOST:PORT, not '" + text + "'");
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(text.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " has a bad port: '" + text + "'");
        }
    }

    private record Values(Map<String, String> map) {
        String get(String key, String dflt) {
            String v = map.get(key);
            return v == null || v.isEmpty() ? dflt : v;
        }

        long number(String key, long dflt) {
            String v = get(key, null);
            if (v == null) {
                return dflt;
            }
            try {
                long n = v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a non-negative number, not '" + v + "'");
            }
        }

        long port(String key, long dflt) {
            long n = number(key, dflt);
            if (n > 65535) {
                throw new IllegalArgumentException(key + " must be a port number (0..65535), not " + n);
            }
            return n;
        }

        long pin(String key, long dflt) {
            long n = number(key, dflt);
            if (n > 27) {
                throw new IllegalArgumentException(key + " must be a BCM GPIO number from 0 to 27, not " + n);
            }
            return n;
        }
    }
}
