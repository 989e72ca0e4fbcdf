package chainkm.cli.authz;

import chainkm.cli.groups.GroupFollower;
import chainkm.cli.groups.KeyServerAccess;
import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code group listen}: a client follows the sessions of a device resource's group. */
@Command(name = "group", mixinStandardHelpOptions = true,
        description = "Self-healing group keys of device resources (docs/group-keys.md).",
        subcommands = {GroupCommand.Listen.class})
public final class GroupCommand {
    private GroupCommand() {}

    @Command(name = "listen", mixinStandardHelpOptions = true,
            description = {"Get the client's group material from the key server (as access does), then follow the "
                    + "group's session broadcasts from the device's home gateway (GET /authz/group?g=G, observed), each "
                    + "checked against the gateway keys of genesis.",
                    "Prints JSON lines: first {\"event\": \"joined\", \"group\", \"num\", \"exp\", \"exi\", "
                            + "\"key_fingerprint\", \"cti\"}, then one per session whose key it computed: {\"event\": "
                            + "\"session\", \"group\", \"session\": j, \"epoch\": the first session of its epoch in the "
                            + "broadcast's window, \"healed\": true when recovered from a later broadcast}, and "
                            + "{\"event\": \"refused\", \"reason\"} for a forged or tampered broadcast.",
                    "The member's state is kept in DIR/groups/<hex of SHA-256(G)>.member (0600). Runs until "
                            + "interrupted, or --sessions N. Exit code 4 with the refusal when the key server refuses."})
    static final class Listen extends AuthzCommand {
        private static final Pattern HOME = Pattern.compile("home gateway (\\d+)");

        @Mixin
        ClientPortOptions gateway;

        @Option(names = "--client", required = true, paramLabel = "DIR", description = "The client's key directory.")
        Path client;

        @Option(names = "--device", required = true, paramLabel = "NAME", description = "The device (the token's aud).")
        String device;

        @Option(names = "--resource", paramLabel = "PATH", defaultValue = "/temperature",
                description = "The resource whose group to follow (default ${DEFAULT-VALUE}).")
        String resource;

        @Option(names = "--cti", paramLabel = "HEX", description = "The token's cti; default: looked up on the ledger.")
        String cti;

        @Option(names = "--rpc-port", paramLabel = "PORT", description = "A CometBFT RPC on 127.0.0.1 for the look-up.")
        Integer rpcPort;

        @Option(names = "--genesis", paramLabel = "FILE",
                description = "The consortium's genesis (gateway keys) when the gateway is given by address; default: "
                        + "the testnet's.")
        Path genesis;

        @Option(names = "--sessions", paramLabel = "N", description = "Stop after N session events (default: never).")
        Integer sessions;

        @Option(names = "--poll", paramLabel = "SECONDS", defaultValue = "5",
                description = "Read the latest broadcast again this often, besides the observation (default ${DEFAULT-VALUE}).")
        int poll;

        @Override
        public Integer call() throws Exception {
            Ed25519.KeyPair key = KeyDirectory.load(client);
            Aif scope = scope(List.of(resource));
            Aif.Entry asked = scope.entries().get(0);
            byte[] token;
            if (cti != null) {
                token = hex("--cti", cti, TokenRequest.CTI_SIZE);
            } else {
                AccessCommand finder = new AccessCommand();
                finder.gateway = gateway;
                finder.device = device;
                finder.resource = resource;
                finder.rpcPort = rpcPort;
                Object found = finder.findToken(key.publicKey(), scope);
                if (found instanceof Refusal r) {
                    return refused(r);
                }
                token = (byte[]) found;
            }
            ClientPort port = gateway.port();
            KeyServerAccess.Answer a = KeyServerAccess.access(port, key,
                    new AccessRequest(token, device, asked.path(), asked.methods()));
            if (a.refused()) {
                return refused(a.refusal());
            }
            AccessGrant grant = a.grant();
            ObjectNode joined = AccessCommand.grantJson(grant, token);
            joined.put("event", "joined");
            print(joined);

            Map<Integer, byte[]> keys = genesis != null
                    ? chainkm.gateway.home.Genesis.load(genesis).publicKeys() : gateway.genesisKeys();
            ClientPort home = homeOf(port, key, grant.group());
            Path state = client.resolve("groups").resolve(Hex.encode(Sha256.hash(
                    grant.group().getBytes(StandardCharsets.US_ASCII))) + ".member");
            CountDownLatch done = new CountDownLatch(sessions == null ? 1 : sessions);
            GroupFollower.Listener listener = new GroupFollower.Listener() {
                @Override
                public void session(String group, long session, long epoch, boolean healed) {
                    ObjectNode o = JSON.createObjectNode().put("event", "session").put("group", group)
                            .put("session", session).put("epoch", epoch);
                    if (healed) {
                        o.put("healed", true);
                    }
                    synchronized (Listen.this) {
                        print(o);
                    }
                    if (sessions != null) {
                        done.countDown();
                    }
                }

                @Override
                public void refused(String why) {
                    synchronized (Listen.this) {
                        print(JSON.createObjectNode().put("event", "refused").put("reason", why));
                    }
                }
            };
            try (GroupFollower f = GroupFollower.create(grant.group(), grant.key(), keys, state, listener)
                    .follow(home.address(), home.gatewayKey(), key, Duration.ofSeconds(Math.max(1, poll)))) {
                done.await(Long.MAX_VALUE, TimeUnit.DAYS);
            }
            return OK;
        }

        /** The gateway serving the group's broadcasts: the one asked, or the home its 4.04 names (testnet mode). */
        private ClientPort homeOf(ClientPort asked, Ed25519.KeyPair key, String group) throws IOException {
            Response r;
            try (ClientEndpoint e = ClientEndpoint.connect(asked.address(), key, asked.gatewayKey())) {
                r = e.get("group", "g=" + group, asked.timeoutMs());
            }
            if (r.getCode() != ResponseCode.NOT_FOUND) {
                return asked;
            }
            Matcher m = HOME.matcher(r.getPayloadString());
            if (!m.find()) {
                throw new IOException(asked.description() + " serves no broadcast of " + group + ": " + r.getPayloadString());
            }
            if (gateway.remote()) {
                throw new IOException(asked.description() + " is not the home of " + device + ": ask gateway "
                        + m.group(1) + "'s client endpoint (--gateway-address, --gateway-key)");
            }
            return gateway.portOf(Integer.parseInt(m.group(1)));
        }
    }
}
