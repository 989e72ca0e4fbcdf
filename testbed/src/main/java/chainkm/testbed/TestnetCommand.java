package chainkm.testbed;

import chainkm.cli.TestnetLayout;
import chainkm.gateway.cometbft.Profile;
import chainkm.testbed.dashboard.DashboardServer;
import chainkm.testbed.dashboard.LiveTestbed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "testnet", mixinStandardHelpOptions = true,
        description = {"Generate (if DIR holds none yet) and run a testnet of N gateways on loopback: validator keys, "
                + "genesis and configs on free ports, then one gateway process per gateway, each with its CometBFT "
                + "validator. Prints one line when the network is ready; Ctrl-C or SIGTERM stops everything.",
                "Serves a live web dashboard with controls on http://127.0.0.1:8080 (see --dashboard-port).",
                "Running it again on the same DIR restarts the same network with its state."})
final class TestnetCommand implements Callable<Integer> {
    @Option(names = "--gateways", defaultValue = "4", description = "Number of gateways (validators), default ${DEFAULT-VALUE}.")
    int gateways;

    @Option(names = "--dir", required = true, description = "Directory of the testnet (keys, configs, state, logs).")
    Path dir;

    @Option(names = "--profile", defaultValue = "fast",
            description = "CometBFT timing: 'paper' (CometBFT defaults, timeout_commit 1 s, as the paper measured) "
                    + "or 'fast' (tuned for a LAN). Default ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--devices", defaultValue = "0",
            description = "Simulated devices to start once the network is ready (real agents, each with its own DTLS "
                    + "session, MQTT connection and key store under DIR/devices/), joining the gateways in turn. "
                    + "They are listed in DIR/devices.json. Default ${DEFAULT-VALUE}.")
    int devices;

    @Option(names = "--dashboard-port", defaultValue = "8080",
            description = "Port of the web dashboard on 127.0.0.1 (gateways, sets, devices, event log, controls); "
                    + "0 picks a free port, -1 starts no dashboard. Default ${DEFAULT-VALUE}.")
    int dashboardPort;

    @Option(names = "--ready-timeout", defaultValue = "120", description = "Seconds to wait for the network, default ${DEFAULT-VALUE}.")
    int readyTimeout;

    @Override
    public Integer call() throws Exception {
        Path d = dir.toAbsolutePath();
        Profile p = Profile.parse(profile);
        if (TestnetLayout.exists(d)) {
            TestnetLayout existing = TestnetLayout.load(d);
            if (existing.gateways().size() != gateways || !existing.profile().equals(p.name().toLowerCase())) {
                throw new IllegalArgumentException(d + " already holds a testnet of " + existing.gateways().size()
                        + " gateways with profile " + existing.profile() + "; use another --dir or delete it");
            }
            System.out.println("restarting the testnet in " + d);
        } else {
            System.out.println("generating a testnet of " + gateways + " gateways (profile " + profile + ") in " + d);
            TestnetGenerator.generate(d, gateways, p);
        }
        // bind the dashboard's port first: a port in use is reported before any gateway starts
        DashboardServer dashboard = dashboardPort >= 0 ? new DashboardServer(dashboardPort) : null;
        Testnet net = Testnet.start(d);
        SimulatedDevices sim = SimulatedDevices.create(d);
        LiveTestbed live = dashboard == null ? null : new LiveTestbed(net, sim, "sim");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping the testnet");
            if (dashboard != null) {
                dashboard.close();
                live.close();
            }
            net.close();
            stopped.countDown();
        }, "testnet-shutdown"));
        if (dashboard != null) {
            dashboard.start(live);
            System.out.println("dashboard: " + dashboard.url());
        }
        net.awaitReady(Duration.ofSeconds(readyTimeout));
        System.out.println("chainkm testnet ready: " + gateways + " gateways, profile " + profile + ", dir " + d
                + " | status: bin/chainkm status --dir " + d
                + " | join: bin/chainkm submit --dir " + d + " --gateway 1 --op join --mode commit"
                + (dashboard == null ? "" : " | dashboard: " + dashboard.url()));
        if (devices > 0) {
            sim.echoReceivedMessages(true);
            Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "devices-shutdown"));
            sim.add("sim", 1, devices);
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ArrayNode list = json.createArrayNode();
            for (SimulatedDevices.Device dev : sim.all()) {
                list.addObject().put("name", dev.name()).put("node_id", dev.node()).put("set_id", dev.agent().setId())
                        .put("gateway", dev.agent().gatewayId()).put("d2d", "127.0.0.1:" + dev.agent().d2dAddress().getPort());
            }
            json.writerWithDefaultPrettyPrinter().writeValue(d.resolve("devices.json").toFile(), list);
            SimulatedDevices.Device first = sim.all().get(0);
            System.out.println(devices + " simulated devices joined (see " + d.resolve("devices.json") + "). Send one a D2D "
                    + "message from a new device: bin/chainkm provision --device me --dir " + d + " --out " + d.resolve("me")
                    + " && bin/chainkm device send --provisioning " + d.resolve("me/provisioning.properties") + " --state "
                    + d.resolve("me/state") + " --to-node " + first.node() + " --to 127.0.0.1:"
                    + first.agent().d2dAddress().getPort() + " --message hello");
        }
        stopped.await();
        return 0;
    }
}
