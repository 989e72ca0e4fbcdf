package chainkm.hardware;

import chainkm.device.agent.AgentListener;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.agent.Provisioning;
import chainkm.device.agent.SecretFiles;
import chainkm.device.objects.ResourceServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The device agent on a board: what {@code /opt/chainkm/bin/chainkm-agent} runs (from
 * {@code chainkm-agent.service}). Moves the provisioning bundle off the boot partition at first
 * boot, makes its identity key and activates it (then drops the bundle's enrollment key), joins
 * (or resumes), drives the status LED from the agent's state and acts on the button.
 */
@Command(name = "chainkm-agent", mixinStandardHelpOptions = true, sortOptions = false, version = "chainkm-agent 0.1.0",
        description = {
            "The chainkm device agent for a Raspberry Pi (or any Linux machine, on a mock board).",
            "At first boot it moves the provisioning bundle from the boot partition (bundle.boot) into its state "
                + "directory (state.dir, mode 0600) and deletes the boot copy; it makes its own identity key "
                + "(state.dir/identity.key) and key store key (state.dir/keystore-key/store.key), activates the identity "
                + "key on the ledger with the bundle's one-time enrollment key, and then deletes that key from the bundle. "
                + "Then it joins through a gateway over CoAP/DTLS with raw public keys (or resumes with the keys it "
                + "holds), follows its rekey topics, and receives D2D messages.",
            "Status LED: joining = fast blink, joined = steady on, rekeying = double flash, sleeping = short blip every "
                + "3 s, rejoining = slow blink, error = triple flash then long on, left = off.",
            "Button: short press = send a sensor reading to peer.node at peer.address over D2D; long press "
                + "(button.long_ms) = sleep or wake; very long press (button.very_long_ms) = leave the network for good "
                + "(the gateway commits the LEAVE, then the agent wipes its keys and stops).",
            "Exit codes: 0 stopped (or left), 1 failed (systemd restarts it), 2 bad command line or configuration, "
                + "3 not provisioned or has left (systemd does not restart it)."},
        footer = {"", "Configuration keys (all optional; README.md, 'Flashing a Raspberry Pi'):",
            "  state.dir=/var/lib/chainkm",
            "  bundle.boot=/boot/firmware/chainkm/provisioning.properties",
            "  board=auto|pi|mock",
            "  gpio.led=17  gpio.button=27  (BCM numbers)  button.active_low=true",
            "  button.long_ms=1500  button.very_long_ms=5000",
            "  d2d.bind=0.0.0.0:5700",
            "  peer.node=N  peer.address=HOST:PORT  peer.send_interval_s=0",
            "  sensor=soc|i2c  sensor.soc_path=/sys/class/thermal/thermal_zone0/temp",
            "  sensor.i2c.bus=1  sensor.i2c.address=0x48  sensor.i2c.register=0",
            "  gateway.timeout_ms=20000  gateway.orphan_after_ms=10000",
            "  objects.resources=/temperature  objects.interval_ms=10000  objects.port=0"})
public final class AgentMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);
    /** In the state directory once the device has left: it never starts again with this state. */
    static final String LEFT_MARKER = "LEFT";
    static final int EXIT_FAILED = 1;
    static final int EXIT_CONFIG = 2;
    static final int EXIT_NOT_PROVISIONED = 3;

    @Option(names = "--config", defaultValue = "/etc/chainkm/agent.properties", paramLabel = "FILE",
            description = "The configuration file, default ${DEFAULT-VALUE}.")
    Path config;

    @Option(names = "--root", defaultValue = "/", paramLabel = "DIR",
            description = "Read every absolute path (the configuration, the state and boot directories, /proc, /sys) "
                    + "below DIR, for checking an unpacked image; default ${DEFAULT-VALUE}.")
    Path root;

    @Option(names = "--first-boot",
            description = "Only move the provisioning bundle into the state directory, then exit (the unit's "
                    + "privileged pre-start step: the boot partition is writable by root only).")
    boolean firstBootOnly;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicInteger exitCode = new AtomicInteger(0);

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg;
        try {
            cfg = AgentConfig.load(root.toAbsolutePath(), config);
        } catch (IOException e) {
            System.err.println("chainkm-agent: bad configuration: " + e.getMessage());
            return EXIT_CONFIG;
        }
        if (Files.exists(cfg.stateDir().resolve(LEFT_MARKER))) {
            System.err.println("chainkm-agent: this device has left the network; to use it again, stop the agent, "
                    + "delete " + cfg.stateDir() + " and provision it anew");
            return EXIT_NOT_PROVISIONED;
        }
        Path bundle;
        try {
            bundle = FirstBoot.install(cfg.stateDir(), cfg.bootBundle());
        } catch (FirstBoot.NotProvisionedException e) {
            System.err.println("chainkm-agent: " + e.getMessage());
            return EXIT_NOT_PROVISIONED;
        }
        if (firstBootOnly) {
            return 0;
        }
        return run(cfg, Provisioning.load(bundle));
    }

    private int run(AgentConfig cfg, Provisioning provisioning) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "chainkm-agent-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("led"));
        ExecutorService worker = Executors.newSingleThreadExecutor(daemon("button"));
        Board board = Board.open(cfg.board(), cfg.boardModel());
        StatusLed led = new StatusLed(board.output("status-led", cfg.ledPin()), scheduler);
        SensorSource sensor = cfg.sensor().equals("i2c")
                ? SensorSource.i2cTemperature(board.i2c("sensor", cfg.i2cBus(), cfg.i2cAddress()), cfg.i2cRegister())
                : SensorSource.socTemperature(cfg.socTemperature());
        DeviceAgent agent = null;
        Button button = null;
        try {
            LOG.info("device {}: state in {}, D2D on {}", provisioning.deviceName(), cfg.stateDir(), cfg.d2dBind());
            try {
                agent = DeviceAgent.start(provisioning, cfg.stateDir(),
                        new DeviceAgent.Options(cfg.d2dBind(), DeviceAgent.DEFAULT_GRACE, cfg.gatewayTimeout(),
                                cfg.orphanAfter()),
                        (sender, payload) -> LOG.info("D2D message from node {}: {}", sender, printable(payload)),
                        ledListener(led), board.storeKeySource(System.getenv("PATH")));
            } catch (IOException e) {
                led.show(AgentListener.State.ERROR);
                LOG.error("cannot start: {}", e.getMessage());
                stop.await(5, TimeUnit.SECONDS); // let the LED show the error before systemd restarts us
                return EXIT_FAILED;
            }
            if (agent.activated()) {
                try {
                    FirstBoot.retireEnrollmentKey(cfg.stateBundle()); // only now: the key opens nothing any more
                } catch (IOException e) {
                    LOG.warn("cannot delete the enrollment key from {} (retried at the next start): {}",
                            cfg.stateBundle(), e.getMessage());
                }
            }
            DeviceAgent a = agent;
            button = new Button(board.input("button", cfg.buttonPin(), cfg.buttonActiveLow()), cfg.buttonActiveLow(),
                    cfg.longPress(), cfg.veryLongPress(), System::nanoTime,
                    press -> worker.execute(() -> onPress(a, cfg, sensor, press)));
            if (cfg.peerNode() != null && !cfg.peerSendInterval().isZero()) {
                long s = cfg.peerSendInterval().toSeconds();
                scheduler.scheduleWithFixedDelay(() -> worker.execute(() -> sendReading(a, cfg, sensor)), 1, s,
                        TimeUnit.SECONDS);
            }
            if (!cfg.objectResources().isEmpty()) {
                publishObjects(a, cfg, sensor);
            }
            LOG.info("agent running on {}; stop with SIGTERM", board.isMock() ? "the mock board" : "the Raspberry Pi");
            stop.await();
            return exitCode.get();
        } finally {
            worker.shutdownNow();
            if (button != null) {
                button.close();
            }
            if (agent != null) {
                agent.close();
            }
            led.close();
            scheduler.shutdownNow();
            board.close();
            done.countDown();
        }
    }

    /**
     * Publishes the sensor's readings as protected objects ({@code objects.*}). The group session
     * keys are the device's own groups' ({@link DeviceAgent#groupSessionKeys()}: it joins each
     * resource's group at its home gateway); without a key yet it publishes nothing (one log line).
     */
    private static void publishObjects(DeviceAgent agent, AgentConfig cfg, SensorSource sensor) {
        InetSocketAddress serve = cfg.objectsPort() == 0 ? null
                : new InetSocketAddress(cfg.d2dBind().getAddress(), cfg.objectsPort());
        ResourceServer r = agent.publishObjects(
                new ResourceServer.Options(cfg.objectResources(), cfg.objectsInterval(), serve),
                agent.groupSessionKeys(),
                path -> sensor.read().json().getBytes(StandardCharsets.UTF_8));
        LOG.info("publishing protected objects {} every {} ms{}", cfg.objectResources(), cfg.objectsInterval().toMillis(),
                r.address().map(a -> ", served over CoAP on " + a).orElse(""));
    }

    private static AgentListener ledListener(StatusLed led) {
        return new AgentListener() {
            @Override
            public void state(DeviceAgent agent, State state) {
                led.show(state);
                LOG.info("state: {}", state);
            }

            @Override
            public void event(DeviceAgent agent, Event event, String detail) {
                if (event == Event.REKEYED || event == Event.CAUGHT_UP) {
                    led.flashRekey();
                }
                LOG.info("event {}: {}", event, detail);
            }
        };
    }

    private void onPress(DeviceAgent agent, AgentConfig cfg, SensorSource sensor, Button.Press press) {
        try {
            switch (press) {
                case SHORT -> sendReading(agent, cfg, sensor);
                case LONG -> {
                    if (agent.sleeping()) {
                        agent.wake();
                    } else {
                        agent.sleep();
                    }
                }
                case VERY_LONG -> leave(agent, cfg);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} press: {}", press, e.getMessage());
        }
    }

    private void leave(DeviceAgent agent, AgentConfig cfg) throws IOException {
        if (agent.sleeping()) {
            agent.wake();
        }
        agent.leave();
        SecretFiles.writeAtomically(cfg.stateDir().resolve(LEFT_MARKER),
                "left the network\n".getBytes(StandardCharsets.US_ASCII)); // 0600, as every state file
        Files.deleteIfExists(cfg.stateBundle()); // its identity is spent on the ledger: the bundle is of no use any more
        LOG.info("left the network: keys and provisioning bundle deleted; the agent stops");
        exitCode.set(0);
        stop.countDown();
    }

    private static void sendReading(DeviceAgent agent, AgentConfig cfg, SensorSource sensor) {
        if (cfg.peerNode() == null) {
            LOG.warn("no peer configured (peer.node, peer.address): nothing to send");
            return;
        }
        String text;
        try {
            text = sensor.read().json();
        } catch (IOException e) {
            text = "{\"error\":\"" + printable(e.getMessage().getBytes(StandardCharsets.UTF_8)).replace('"', '\'') + "\"}";
        }
        try {
            agent.send(cfg.peerNode(), cfg.peerAddress(), text.getBytes(StandardCharsets.UTF_8));
            LOG.info("sent to node {} at {}: {}", cfg.peerNode(), cfg.peerAddress(), text);
        } catch (IOException e) {
            LOG.warn("cannot send to node {}: {}", cfg.peerNode(), e.getMessage());
        }
    }

    static String printable(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 200; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c != 0x7f ? c : '?');
        }
        return out.toString();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
