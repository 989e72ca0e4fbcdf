package chainkm.device.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent's local control channel, so that {@code bin/chainkm device move} (and
 * friends) can act on an agent another process runs: one TCP listener on 127.0.0.1, whose port
 * and a random token are in {@code <state>/agent.control} (mode 0600: only the device's user can
 * read it). A request is one line, {@code TOKEN COMMAND [ARG]}; the answer one JSON line.
 * Commands: {@code status}, {@code move GATEWAY}, {@code sleep}, {@code wake}.
 */
public final class AgentControl implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentControl.class);
    public static final String FILE = "agent.control";
    /** The longest request line: a token and a command are well under 100 bytes. */
    static final int MAX_LINE = 1024;

    private final DeviceAgent agent;
    private final Path file;
    private final ServerSocket server;
    private final String token;
    private final Thread acceptor;

    private AgentControl(DeviceAgent agent, Path file, ServerSocket server, String token) {
        this.agent = agent;
        this.file = file;
        this.server = server;
        this.token = token;
        this.acceptor = new Thread(this::serve, "agent-control");
        acceptor.setDaemon(true);
    }

    /** Opens the channel of {@code agent}, whose state directory is {@code stateDir}. */
    public static AgentControl open(DeviceAgent agent, Path stateDir) throws IOException {
        byte[] t = new byte[16];
        new SecureRandom().nextBytes(t);
        String token = HexFormat.of().formatHex(t);
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Path file = stateDir.resolve(FILE);
        Path tmp = stateDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(StandardCharsets.US_ASCII.encode(server.getLocalPort() + " " + token + "\n"));
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AgentControl c = new AgentControl(agent, file, server, token);
        c.acceptor.start();
        return c;
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5_000);
                Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
                String line = readLine(s.getInputStream());
                if (line == null) {
                    LOG.warn("control request longer than {} bytes refused: connection closed", MAX_LINE);
                    continue;
                }
                out.write(answer(line) + "\n");
                out.flush();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.debug("control connection failed: {}", e.toString());
                }
            }
        }
    }

    /**
     * One request line, at most {@link #MAX_LINE} bytes before its newline (or the end of the
     * stream); null when it is longer, so that a local process cannot make the agent buffer
     * without bound.
     */
    static String readLine(InputStream in) throws IOException {
        byte[] buf = new byte[MAX_LINE];
        int n = 0;
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (n == MAX_LINE) {
                return null;
            }
            buf[n++] = (byte) b;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    private String answer(String line) {
        String[] words = line.trim().split(" +");
        if (words.length < 2 || !MessageDigest.isEqual(words[0].getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII))) {
            return "{\"error\":\"bad token\"}";
        }
        try {
            switch (words[1]) {
                case "status" -> { }
                case "move" -> {
                    if (words.length != 3) {
                        return "{\"error\":\"usage: move GATEWAY\"}";
                    }
                    agent.moveTo(Integer.parseInt(words[2]));
                }
                case "sleep" -> agent.sleep();
                case "wake" -> agent.wake();
                default -> {
                    return "{\"error\":\"unknown command; try status, move GATEWAY, sleep, wake\"}";
                }
            }
            return status(agent);
        } catch (IOException | RuntimeException e) {
            return "{\"error\":" + quote(String.valueOf(e.getMessage())) + "}";
        }
    }

    /** The agent's state as one JSON line (never key bytes). */
    public static String status(DeviceAgent agent) {
        return "{\"device\":" + quote(agent.name()) + ",\"node_id\":" + agent.nodeId() + ",\"set_id\":" + agent.setId()
                + ",\"gateway\":" + agent.gatewayId() + ",\"attached_gateway\":" + agent.attachedGateway()
                + ",\"seq\":" + agent.seq() + ",\"state\":" + quote(agent.state().name().toLowerCase()) + "}";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append('?');
            }
        }
        return b.append('"').toString();
    }

    /** Where a running agent listens, as its control file says: a loopback port and the token it wants. */
    record Endpoint(int port, String token) {}

    /**
     * Reads {@code <state>/agent.control}: {@code PORT TOKEN}, as {@link #open} writes it.
     *
     * @throws IOException naming the file when it is anything else (a damaged file is not a port)
     */
    static Endpoint endpoint(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        String[] portToken = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        if (portToken.length == 2 && portToken[0].matches("[0-9]{1,5}") && portToken[1].matches("[0-9a-f]{1,64}")) {
            int port = Integer.parseInt(portToken[0]);
            if (port >= 1 && port <= 65535) {
                return new Endpoint(port, portToken[1]);
            }
        }
        throw new IOException(file + " is not an agent's control file (PORT TOKEN): remove it and restart the agent");
    }

    /**
     * Sends {@code command} to the agent running on {@code stateDir} and returns its JSON answer.
     *
     * @throws java.nio.file.NoSuchFileException if no agent runs there (no control file)
     * @throws java.net.ConnectException if the agent that wrote it is gone
     */
    public static String request(Path stateDir, String command, Duration timeout) throws IOException {
        Endpoint endpoint = endpoint(stateDir);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), endpoint.port()), 2_000);
            s.setSoTimeout((int) timeout.toMillis());
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
            out.write(endpoint.token() + " " + command + "\n");
            out.flush();
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new IOException("the agent closed the control connection without an answer");
            }
            return line;
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("closing the control channel: {}", e.toString());
        }
    }
}
