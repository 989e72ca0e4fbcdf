package chainkm.cli;

import chainkm.device.agent.AgentControl;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.agent.Provisioning;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "device", mixinStandardHelpOptions = true,
        description = "Run a device agent from a provisioning bundle, for testbeds.",
        subcommands = {DeviceCommand.Listen.class, DeviceCommand.Send.class, DeviceCommand.Move.class})
public final class DeviceCommand {

    static class Common {
        @Option(names = "--provisioning", required = true, description = "The device's provisioning.properties.")
        Path provisioning;

        @Option(names = "--state", required = true, description = "The device's state directory (its encrypted key store).")
        Path state;

        DeviceAgent start(int port, DeviceAgentPrinter printer) throws Exception {
            return DeviceAgent.start(Provisioning.load(provisioning), state,
                    new DeviceAgent.Options(new InetSocketAddress("127.0.0.1", port), DeviceAgent.DEFAULT_GRACE,
                            Duration.ofSeconds(20)), printer::received);
        }
    }

    interface DeviceAgentPrinter {
        void received(int sender, byte[] payload);
    }

    @Command(name = "listen", mixinStandardHelpOptions = true,
            description = {"Join if needed, follow rekeying, and print every D2D message received, one JSON line each: "
                    + "{\"from\": NODE, \"message\": TEXT}. The first line describes the device: "
                    + "{\"node_id\", \"set_id\", \"gateway\", \"seq\", \"d2d\": \"HOST:PORT\"}. Stops on Ctrl-C."})
    static final class Listen extends Common implements Callable<Integer> {
        @Option(names = "--port", defaultValue = "0", description = "UDP port for D2D messages (0: any free port).")
        int port;

        @Override
        public Integer call() throws Exception {
            DeviceAgent agent = start(port, (from, payload) -> System.out.println("{\"from\":" + from + ",\"message\":\""
                    + new String(payload, StandardCharsets.UTF_8).replace("\\", "\\\\").replace("\"", "\\\"") + "\"}"));
            System.out.println("{\"node_id\":" + agent.nodeId() + ",\"set_id\":" + agent.setId() + ",\"gateway\":"
                    + agent.gatewayId() + ",\"seq\":" + agent.seq() + ",\"d2d\":\"" + agent.d2dAddress().getHostString()
                    + ":" + agent.d2dAddress().getPort() + "\"}");
            AgentControl control = AgentControl.open(agent, state);
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                control.close();
                agent.close();
                stop.countDown();
            }));
            stop.await();
            return 0;
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = "Send one D2D message to a device listening at --to, encrypted under this device's key for it.")
    static final class Send extends Common implements Callable<Integer> {
        @Option(names = "--to-node", required = true, description = "The receiver's node id.")
        int toNode;

        @Option(names = "--to", required = true, description = "The receiver's D2D address, HOST:PORT.")
        String to;

        @Option(names = "--message", required = true, description = "The text to send (at most 1024 bytes).")
        String message;

        @Override
        public Integer call() throws Exception {
            String[] hp = to.split(":");
            try (DeviceAgent agent = start(0, (from, payload) -> { })) {
                agent.send(toNode, new InetSocketAddress(hp[0], Integer.parseInt(hp[1])),
                        message.getBytes(StandardCharsets.UTF_8));
                System.out.println("{\"sent\":true,\"from\":" + agent.nodeId() + ",\"to\":" + toNode + "}");
            }
            return 0;
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            description = {"Move the device to another gateway of its bundle: it rejoins there with the next link of its "
                    + "hash chain (no consensus wait, nobody rekeyed) and keeps its link keys, so D2D goes on.",
                    "If an agent runs on --state (`device listen`), it is asked to move through its control channel "
                    + "(<state>/agent.control); otherwise the agent is started, moved and stopped.",
                    "Prints the device's state as JSON: {\"device\", \"node_id\", \"set_id\", \"gateway\" (owner), "
                    + "\"attached_gateway\", \"seq\", \"state\"}; exit code 1 with {\"error\": ...} if the move failed."})
    static final class Move extends Common implements Callable<Integer> {
        @Option(names = "--to", required = true, description = "The gateway id to move to.")
        int to;

        @Override
        public Integer call() throws Exception {
            String answer;
            try {
                answer = AgentControl.request(state, "move " + to, Duration.ofSeconds(120));
            } catch (java.nio.file.NoSuchFileException | java.net.ConnectException notRunning) {
                try (DeviceAgent agent = start(0, (from, payload) -> { })) {
                    agent.moveTo(to);
                    answer = AgentControl.status(agent);
                } catch (java.io.IOException | IllegalArgumentException e) {
                    answer = "{\"error\":\"" + String.valueOf(e.getMessage()).replace("\\", "/").replace("\"", "'") + "\"}";
                }
            }
            System.out.println(answer);
            return answer.startsWith("{\"error\"") ? 1 : 0;
        }
    }
}
