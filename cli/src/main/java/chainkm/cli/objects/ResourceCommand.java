package chainkm.cli.objects;

import chainkm.cli.TestnetLayout;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.agent.Provisioning;
import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.coap.GatewayResponseException;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.protocol.cose.CoseFormatException;
import chainkm.protocol.cose.ProtectedObject;
import chainkm.protocol.cose.ProtectedResource;
import chainkm.protocol.cose.SignedObject;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.AuthenticationException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "resource", mixinStandardHelpOptions = true,
        description = "Protected objects (IoTChain, issue 14; docs/protected-objects.md): get one from a gateway's "
                + "caching proxy or from the device, put a prepared one to the proxy as its device.",
        subcommands = {ResourceCommand.Get.class, ResourceCommand.Put.class})
public final class ResourceCommand {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int OK = 0;
    static final int REFUSED = 4;

    /** What both subcommands share: one JSON object on stdout, exit 0, 4 (refused or not valid), 2 usage, 1 failure. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--testnet", paramLabel = "DIR", defaultValue = "build/run",
                description = "The testnet's directory (default ${DEFAULT-VALUE}, what make run starts).")
        Path testnet;

        @Option(names = "--device", required = true, paramLabel = "NAME", description = "The device (resource server).")
        String device;

        @Option(names = "--resource", required = true, paramLabel = "PATH", description = "The resource path, e.g. /temperature.")
        String path;

        ProtectedResource resource() {
            try {
                return new ProtectedResource(device, path);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }

        int print(JsonNode json) {
            PrintWriter out = spec.commandLine().getOut();
            try {
                out.println(JSON.writeValueAsString(json));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            out.flush();
            return OK;
        }

        ParameterException usage(String message) {
            return new ParameterException(spec.commandLine(), message);
        }

        TestnetLayout.Gateway layoutGateway(int id) throws IOException {
            try {
                return TestnetLayout.load(testnet).gateway(id);
            } catch (IllegalArgumentException e) {
                throw usage("--gateway " + id + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Fetch the latest object of a device's resource anonymously over plain CoAP: from gateway "
                    + "N's caching proxy (GET /objects/NAME/PATH on its proxy_port), from --proxy HOST:PORT, or from the "
                    + "device itself (--direct HOST:PORT, its objects.port). Checks the COSE_Sign1 against the device's "
                    + "key on the ledger (query /identity through gateway N's CometBFT RPC) and, with --session-key, opens it.",
                    "Prints {\"device\", \"resource\", \"from\", \"session\": j, \"sequence\": s, \"size\": bytes, "
                    + "\"reading_size\", \"signature\": \"valid\"|\"invalid\", \"device_key\": hex, and with the key "
                    + "\"plaintext\" (or \"opened\": false)}. Exit code 4 when nothing is cached (\"found\": false) or "
                    + "the signature does not verify."})
    static final class Get extends Base {
        @Option(names = "--gateway", paramLabel = "N", defaultValue = "1",
                description = "The gateway of --testnet whose proxy and ledger to use (default ${DEFAULT-VALUE}).")
        int gateway;

        @Option(names = "--proxy", paramLabel = "HOST:PORT", description = "A proxy's address instead of gateway N's.")
        String proxy;

        @Option(names = "--rpc-port", paramLabel = "PORT",
                description = "A gateway's CometBFT RPC on 127.0.0.1 (e.g. an SSH tunnel) for the device's key, instead "
                        + "of gateway N's.")
        Integer rpcPort;

        @Option(names = "--direct", paramLabel = "HOST:PORT",
                description = "Fetch from the device's own CoAP endpoint (objects.port) instead of a proxy.")
        String direct;

        @Option(names = "--session-key", paramLabel = "HEX|FILE",
                description = "K_j of the object's session (32 hex digits, or a file holding them): print the plaintext.")
        String sessionKey;

        @Option(names = "--save", paramLabel = "FILE", description = "Also write the object's bytes (COSE_Sign1) to FILE.")
        Path save;

        @Override
        public Integer call() throws Exception {
            ProtectedResource r = resource();
            if (proxy != null && direct != null) {
                throw usage("--proxy and --direct exclude each other");
            }
            String url = direct != null ? "coap://" + direct + r.path()
                    : "coap://" + (proxy != null ? proxy : proxyOf(gateway)) + "/objects/" + r.device() + r.path();
            byte[] bytes = fetch(url);
            if (bytes == null) {
                ObjectNode o = JSON.createObjectNode().put("device", r.device()).put("resource", r.path())
                        .put("from", url).put("found", false);
                print(o);
                return REFUSED;
            }
            if (save != null) {
                Files.write(save, bytes);
            }
            byte[] key = deviceKey(r.device());
            ObjectNode o = JSON.createObjectNode().put("device", r.device()).put("resource", r.path()).put("from", url);
            SignedObject signed;
            try {
                signed = SignedObject.decode(bytes);
            } catch (CoseFormatException e) {
                print(o.put("signature", "invalid").put("error", e.getMessage()));
                return REFUSED;
            }
            ProtectedObject object = ProtectedObject.decode(signed.message().unverifiedPayload());
            o.put("session", object.session()).put("sequence", object.sequence()).put("size", bytes.length)
                    .put("reading_size", object.readingSize()).put("device_key", Hex.encode(key));
            boolean valid;
            try {
                signed.verify(r, key);
                valid = true;
            } catch (SignatureException e) {
                valid = false;
            }
            o.put("signature", valid ? "valid" : "invalid");
            if (valid && sessionKey != null) {
                try {
                    byte[] plain = object.open(r, sessionKeyBytes());
                    o.put("opened", true).put("plaintext", new String(plain, StandardCharsets.UTF_8));
                } catch (AuthenticationException e) {
                    o.put("opened", false).put("error", "the key does not open session " + object.session() + "'s object");
                }
            }
            print(o);
            return valid ? OK : REFUSED;
        }

        private byte[] sessionKeyBytes() throws IOException {
            String v = sessionKey.trim();
            Path p = Path.of(v);
            if (Files.isRegularFile(p)) {
                v = Files.readString(p, StandardCharsets.US_ASCII).trim();
            }
            if (!v.matches("[0-9a-fA-F]{32}")) {
                throw usage("--session-key is 32 hex digits (16 bytes) or a file holding them");
            }
            return Hex.decode(v);
        }

        private String proxyOf(int id) throws IOException {
            TestnetLayout.Gateway g = layoutGateway(id);
            GatewayConfig c = GatewayConfig.load(testnet.resolve(g.home()));
            return c.coapHost() + ":" + c.proxyPortOrDefault();
        }

        /** The device's current key as the ledger holds it (through gateway N's RPC). */
        private byte[] deviceKey(String name) throws IOException {
            if (rpcPort != null && (rpcPort < 1 || rpcPort > 65535)) {
                throw usage("--rpc-port " + rpcPort + " is out of range");
            }
            CometRpc rpc = new CometRpc(rpcPort != null ? rpcPort : layoutGateway(gateway).rpcPort(), Duration.ofSeconds(10));
            CometRpc.QueryResult q;
            try {
                q = rpc.abciQuery("/identity", name.getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                throw new IOException("the CometBFT RPC does not answer: is the gateway running? (" + e.getMessage() + ")", e);
            }
            if (q.code() != 0) {
                throw new IOException("the ledger has no device identity '" + name + "': " + q.log());
            }
            return Hex.decode(JSON.readTree(q.value()).path("key").asText());
        }

        /** The payload of a 2.05, null for a 4.04. */
        private static byte[] fetch(String url) throws IOException {
            // a configuration built in code: no Californium properties file next to the user's work
            Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                    CoapConfig.DEFINITIONS);
            CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config).build();
            CoapClient client = new CoapClient(url);
            client.setEndpoint(endpoint);
            client.setTimeout(10_000L);
            try {
                CoapResponse r = client.get();
                if (r == null) {
                    throw new IOException("no answer from " + url);
                }
                if (r.getCode() == ResponseCode.NOT_FOUND) {
                    return null;
                }
                if (r.getCode() != ResponseCode.CONTENT) {
                    throw new IOException(url + " answered " + r.getCode() + ": " + r.getResponseText());
                }
                return r.getPayload();
            } catch (ConnectorException e) {
                throw new IOException("cannot reach " + url + ": " + e.getMessage(), e);
            } finally {
                client.shutdown();
                endpoint.destroy();
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Push a prepared signed object (a COSE_Sign1 file, e.g. saved by `resource get --save`) to "
                    + "the caching proxy of the device's gateway, as the device: PUT /objects/PATH over DTLS with the "
                    + "identity key of its state directory (the proxy takes the device from the DTLS session). For "
                    + "operators testing a proxy: a device publishes its own readings by itself (objects.* in "
                    + "agent.properties); this shows what the proxy accepts, and refuses an old object presented again.",
                    "Prints {\"device\", \"resource\", \"gateway\", \"cached\": true} or, refused, {..., \"cached\": false, "
                    + "\"code\": \"4.03\", \"reason\"} with exit code 4."})
    static final class Put extends Base {
        @Option(names = "--state", required = true, paramLabel = "DIR",
                description = "The device's state directory (its identity.key).")
        Path state;

        @Option(names = "--bundle", paramLabel = "FILE",
                description = "The device's provisioning bundle (default: DIR/provisioning.properties, where the agent "
                        + "keeps it).")
        Path bundle;

        @Option(names = "--gateway", paramLabel = "N", description = "The gateway to push to (default: the bundle's first).")
        Integer gateway;

        @Option(names = "--object", required = true, paramLabel = "FILE", description = "The signed object's bytes.")
        Path objectFile;

        @Override
        public Integer call() throws Exception {
            ProtectedResource r = resource();
            Provisioning p = Provisioning.load(bundleFile());
            Provisioning.Gateway g = gateway == null ? p.gateways().get(0) : p.gateway(gateway);
            Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(
                    Files.readAllBytes(state.resolve(DeviceAgent.IDENTITY_KEY_FILE)));
            byte[] bytes = Files.readAllBytes(objectFile);
            ObjectNode o = JSON.createObjectNode().put("device", r.device()).put("resource", r.path()).put("gateway", g.id());
            try (GatewayCoapClient c = new GatewayCoapClient(g.coap(), key, g.signingKey(), Duration.ofSeconds(20))) {
                c.putObject(r.path(), bytes);
            } catch (GatewayResponseException e) {
                print(o.put("cached", false).put("code", e.responseCode()).put("reason", e.diagnostic()));
                return REFUSED;
            }
            return print(o.put("cached", true));
        }

        private Path bundleFile() {
            Path b = bundle != null ? bundle : state.resolve("provisioning.properties");
            if (!Files.isRegularFile(b)) {
                throw usage("no provisioning bundle at " + b + ": give --bundle FILE");
            }
            return b;
        }
    }
}
