package chainkm.gateway;

import chainkm.gateway.abci.AbciApplication;
import chainkm.gateway.abci.AbciServer;
import chainkm.gateway.cometbft.CometBinary;
import chainkm.gateway.cometbft.CometHome;
import chainkm.gateway.cometbft.CometProcess;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.control.ControlServer;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.StateStore;
import chainkm.gateway.submit.PendingJournal;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway ("blockchain participant"), wired from its {@link GatewayHome}: the ledger ABCI
 * application, the CometBFT validator it launches and supervises, the submitter, what faces
 * the devices, and the local control API. {@link #close()} stops everything in reverse order.
 */
public final class GatewayNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayNode.class);

    /**
     * What a test harness may change in a node: the ABCI application CometBFT talks to (a
     * decorator over the ledger) and how CometBFT starts. A gateway in the field runs
     * {@link #NONE}; the fault tests install theirs from the testbed.
     */
    public record Decorators(UnaryOperator<AbciApplication> abci, UnaryOperator<CometProcess.Options> cometbft) {
        public static final Decorators NONE = new Decorators(UnaryOperator.identity(), UnaryOperator.identity());
    }

    private final GatewayHome home;
    private final GatewayConfig config;
    private final LedgerApp app;
    private final AbciServer abci;
    private final CometProcess comet;
    private final Submitter submitter;
    private final ControlServer control;
    private final DeviceFacing devices;

    private GatewayNode(GatewayHome home, GatewayConfig config, LedgerApp app, AbciServer abci, CometProcess comet,
                        Submitter submitter, ControlServer control, DeviceFacing devices) {
        this.home = home;
        this.config = config;
        this.app = app;
        this.abci = abci;
        this.comet = comet;
        this.submitter = submitter;
        this.control = control;
        this.devices = devices;
    }

    /** @param mqttUrl an external broker to use instead of the embedded one, or null for the configured one */
    public static GatewayNode start(Path home, String mqttUrl) throws IOException {
        return start(home, mqttUrl, Decorators.NONE);
    }

    /** As {@link #start(Path, String)}, with a test harness's decorators. */
    public static GatewayNode start(Path dir, String mqttUrl, Decorators decorators) throws IOException {
        GatewayConfig loaded = GatewayConfig.load(dir);
        GatewayConfig config = mqttUrl == null ? loaded : loaded.withMqttUrl(mqttUrl);
        GatewayHome home = config.homeAt(dir);
        Ed25519.KeyPair key = GatewayKey.load(home.gatewayKey());
        String token = GatewayHome.readLine(home.controlToken());
        Genesis genesis = Genesis.load(home.genesis());
        killStaleCometBft(home.cometbftPid());
        if (home.restrictToOwner()) {
            LOG.warn("the gateway home {} was open to other users: made it 0700", home);
        }
        List<AutoCloseable> started = new ArrayList<>();
        try {
            LedgerApp app = new LedgerApp(new StateStore(home.ledgerDir()));
            app.setValidatorKeys(genesis.validatorKeys());
            // a unix socket only this user can open: no other local process can drive the ledger
            AbciServer abci = AbciServer.startUnix(decorators.abci().apply(app), home.abciSocket());
            started.add(abci);
            if (CometHome.pointProxyApp(home.cometbftHome(), abci.proxyAppAddress())) {
                LOG.info("CometBFT's proxy_app now points at {}", abci.proxyAppAddress());
            }
            CometProcess comet = CometProcess.start(decorators.cometbft().apply(
                    CometProcess.Options.of(CometBinary.locate(), home.cometbftHome(), home.cometbftLog())));
            started.add(comet);
            Files.writeString(home.cometbftPid(), Long.toString(comet.pid()));
            CometRpc rpc = new CometRpc(config.rpcPort());
            Submitter submitter = new Submitter(app, new RpcBroadcaster(rpc), key, config.id(),
                    Duration.ofMillis(config.resubmitAfterMs()), PendingJournal.open(home.pendingJournal()));
            started.add(submitter);
            submitter.recover();
            DeviceFacing devices = DeviceFacing.start(home, genesis, config, app, submitter, key);
            started.add(devices);
            ControlServer control = ControlServer.start(config.controlPort(), token,
                    new NodeControl(config, app, comet, rpc, submitter, devices));
            GatewayNode node = new GatewayNode(home, config, app, abci, comet, submitter, control, devices);
            LOG.info("gateway {} ({}) started: ABCI on {}, CometBFT RPC on 127.0.0.1:{}, control on 127.0.0.1:{}",
                    config.id(), config.name(), abci.proxyAppAddress(), config.rpcPort(), control.port());
            return node;
        } catch (IOException | RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** A CometBFT left running by a gateway that was killed would hold the ports and the database lock. */
    private static void killStaleCometBft(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isPresent() && p.get().info().command().map(c -> c.endsWith("cometbft")).orElse(false)) {
                LOG.warn("killing CometBFT {} left over from a previous run", pid);
                p.get().destroyForcibly();
                p.get().onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (NumberFormatException | InterruptedException | ExecutionException | TimeoutException e) {
            LOG.warn("could not check for a stale CometBFT: {}", e.toString());
        }
        Files.deleteIfExists(pidFile);
    }

    public GatewayConfig config() {
        return config;
    }

    public LedgerApp ledger() {
        return app;
    }

    public Submitter submitter() {
        return submitter;
    }

    public CometProcess cometbft() {
        return comet;
    }

    public DeviceFacing devices() {
        return devices;
    }

    @Override
    public void close() {
        LOG.info("gateway {} stopping", config.id());
        control.close();
        devices.close();
        submitter.close();
        comet.close();
        abci.close();
        try {
            Files.deleteIfExists(home.cometbftPid());
        } catch (IOException ignored) {
            // nothing left to clean
        }
    }
}
