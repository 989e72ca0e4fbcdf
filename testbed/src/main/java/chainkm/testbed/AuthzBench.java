package chainkm.testbed;

import chainkm.cli.TestnetLayout;
import chainkm.cli.authz.ClientEndpoint;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.home.Genesis;
import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.authz.Voucher;
import chainkm.protocol.crypto.Ed25519;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;

/**
 * IoTChain on a live testnet (issue 13): how long a client waits from submitting its token
 * request to holding usable keys, and how the key server's DTLS handshake scales with concurrent
 * clients (the analog of the paper's Fig. 5).
 *
 * <p>Grant latency: a device joins through gateway 1 (its home), its owner puts a voucher-mode
 * policy, then each sample is a fresh client with an owner-signed voucher that posts its token
 * request to gateway 2 (gateway 1 on a one-gateway testnet) and, once the block is committed
 * (the 2.04 answer), asks the key server of the last gateway for access until it is granted.
 * "granted" is submit to the 2.04, "usable" submit to the first 2.05 of the key server. IoTChain's
 * Ethereum waited 12 confirmations, about 3 minutes (section II-C of the paper).
 *
 * <p>Handshakes: k clients at once, each with a fresh DTLS endpoint and a live token, run the
 * handshake and one access request against the key server of the device's home; reported per k
 * as the median and p95 of the per-client time to the grant, and the wall time of the round.
 */
final class AuthzBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** IoTChain section II-C: 12 block confirmations, about 3 minutes on Ethereum. */
    static final double PAPER_ETHEREUM_MS = 180_000;
    private static final String PATH = "/temperature";

    private AuthzBench() {}

    record Result(ObjectNode json, String markdown) {}

    /** The device, its owner and its voucher-mode policy, on a ready testnet. */
    private record Setup(String device, Ed25519.KeyPair owner, Policy policy) {}

    static Result grantLatency(Testnet net, String profile, int gateways, int samples) throws Exception {
        Setup s = setUp(net);
        int submitVia = gateways >= 2 ? 2 : 1;
        int askAt = gateways;
        double[] granted = new double[samples];
        double[] usable = new double[samples];
        for (int i = 0; i < samples; i++) {
            Ed25519.KeyPair client = Ed25519.KeyPair.generate(RANDOM);
            byte[] voucher = Voucher.sign(s.owner(), s.policy().id(), client.publicKey(), Long.MAX_VALUE / 4).encode();
            TokenRequest request = TokenRequest.sign(client, s.policy().id(), s.device(), Aif.of(PATH, Aif.GET), 10_000,
                    random(16), voucher);
            long t0 = System.nanoTime();
            try (ClientEndpoint c = endpoint(net, submitVia, client)) {
                Response r = c.post("token", request.encode());
                if (r.getCode() != ResponseCode.CHANGED) {
                    throw new IllegalStateException("token request refused by gateway " + submitVia + ": "
                            + r.getCode() + " " + r.getPayloadString());
                }
            }
            long t1 = System.nanoTime();
            awaitAccess(net, askAt, client, request.cti(), s.device());
            long t2 = System.nanoTime();
            granted[i] = (t1 - t0) / 1e6;
            usable[i] = (t2 - t0) / 1e6;
            if ((i + 1) % 10 == 0 || i + 1 == samples) {
                System.out.printf("bench: %s, %d gateways, token grants %d/%d%n", profile, gateways, i + 1, samples);
            }
        }
        ObjectNode json = JSON.createObjectNode();
        json.put("profile", profile).put("gateways", gateways).put("samples", samples)
                .put("submitted_via", submitVia).put("key_server", askAt)
                .put("granted_median_ms", percentile(granted, 50)).put("granted_p95_ms", percentile(granted, 95))
                .put("usable_median_ms", percentile(usable, 50)).put("usable_p95_ms", percentile(usable, 95))
                .put("paper_ethereum_ms", PAPER_ETHEREUM_MS);
        String md = String.format("| %s | %d | %.1f | %.1f | %.1f | %.1f | %,.0fx |%n", profile, gateways,
                percentile(granted, 50), percentile(granted, 95), percentile(usable, 50), percentile(usable, 95),
                PAPER_ETHEREUM_MS / Math.max(percentile(usable, 50), 0.001));
        return new Result(json, md);
    }

    static String grantHeader() {
        return String.format("%n### Token grant latency (issue 13)%n%n"
                + "Submit to granted (the client endpoint's 2.04 after the block) and submit to usable (the key server "
                + "of another gateway hands out the material: this includes a fresh DTLS handshake with it), per profile "
                + "and number of gateways, against IoTChain's 12 Ethereum confirmations (~180 s).%n%n"
                + "| profile | gateways | granted median ms | granted p95 ms | usable median ms | usable p95 ms | faster than the paper |%n"
                + "|---|---|---|---|---|---|---|%n");
    }

    static Result handshakes(Testnet net, int[] concurrency) throws Exception {
        Setup s = setUp(net);
        int max = Arrays.stream(concurrency).max().orElse(1);
        // tokens first, through the home: the round measures the key server, not the grants
        List<Ed25519.KeyPair> clients = new ArrayList<>();
        List<byte[]> ctis = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            Ed25519.KeyPair client = Ed25519.KeyPair.generate(RANDOM);
            byte[] voucher = Voucher.sign(s.owner(), s.policy().id(), client.publicKey(), Long.MAX_VALUE / 4).encode();
            TokenRequest request = TokenRequest.sign(client, s.policy().id(), s.device(), Aif.of(PATH, Aif.GET), 10_000,
                    random(16), voucher);
            try (ClientEndpoint c = endpoint(net, 1, client)) {
                Response r = c.post("token", request.encode());
                if (r.getCode() != ResponseCode.CHANGED) {
                    throw new IllegalStateException("token request refused: " + r.getCode() + " " + r.getPayloadString());
                }
            }
            clients.add(client);
            ctis.add(request.cti());
        }
        awaitAccess(net, 1, clients.get(max - 1), ctis.get(max - 1), s.device());
        ArrayNode rounds = JSON.createArrayNode();
        StringBuilder md = new StringBuilder(String.format("%n### Key server handshakes against concurrent clients (issue 13, Fig. 5 analog)%n%n"
                + "k clients at once, each a fresh DTLS 1.2 session (Ed25519 raw public keys, ECDHE X25519) and one "
                + "`POST /authz/access` at the device's home gateway; time per client from the first flight to the grant.%n%n"
                + "| clients | median ms | p95 ms | round wall ms |%n|---|---|---|---|%n"));
        ExecutorService pool = Executors.newFixedThreadPool(max);
        try {
            for (int k : concurrency) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Double>> futures = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    Ed25519.KeyPair client = clients.get(i);
                    byte[] cti = ctis.get(i);
                    futures.add(pool.submit(() -> {
                        try (ClientEndpoint c = endpoint(net, 1, client)) {
                            start.await();
                            long t0 = System.nanoTime();
                            Response r = c.post("access", new AccessRequest(cti, s.device(), PATH, Aif.GET).encode());
                            if (r.getCode() != ResponseCode.CONTENT) {
                                throw new IllegalStateException("access refused: " + r.getCode() + " " + r.getPayloadString());
                            }
                            return (System.nanoTime() - t0) / 1e6;
                        }
                    }));
                }
                long w0 = System.nanoTime();
                start.countDown();
                double[] ms = new double[k];
                for (int i = 0; i < k; i++) {
                    ms[i] = futures.get(i).get();
                }
                double wall = (System.nanoTime() - w0) / 1e6;
                rounds.add(JSON.createObjectNode().put("clients", k).put("median_ms", percentile(ms, 50))
                        .put("p95_ms", percentile(ms, 95)).put("wall_ms", wall));
                md.append(String.format("| %d | %.1f | %.1f | %.1f |%n", k, percentile(ms, 50), percentile(ms, 95), wall));
                System.out.printf("bench: key server handshakes, %d concurrent clients: median %.1f ms%n", k, percentile(ms, 50));
            }
        } finally {
            pool.shutdownNow();
        }
        ObjectNode json = JSON.createObjectNode();
        json.set("rounds", rounds);
        return new Result(json, md.toString());
    }

    /** A device joined through gateway 1 and a voucher-mode policy for its {@value #PATH}. */
    private static Setup setUp(Testnet net) throws Exception {
        JsonNode joined = net.client(1).submit(JSON.createObjectNode().put("op", "join").put("mode", "commit"),
                Duration.ofSeconds(180));
        if (!joined.path("status").asText().equals("committed")) {
            throw new IllegalStateException("the bench device's join did not commit: " + joined);
        }
        int node = joined.path("node_id").asInt();
        CometRpc.QueryResult q = new CometRpc(net.layout().gateway(1).rpcPort())
                .abciQuery("/node", Integer.toString(node).getBytes(StandardCharsets.UTF_8));
        String device = JSON.readTree(q.value()).path("identity").asText();
        if (device.isEmpty()) {
            throw new IllegalStateException("node " + node + " has no identity on the ledger: " + new String(q.value(), StandardCharsets.UTF_8));
        }
        Ed25519.KeyPair owner = Ed25519.KeyPair.generate(RANDOM);
        Policy policy = Policy.sign(owner, device, Aif.of(PATH, Aif.GET), 1_000_000, null, random(16));
        try (ClientEndpoint c = endpoint(net, 1, owner)) {
            Response r = c.post("policy", policy.encode());
            if (r.getCode() != ResponseCode.CHANGED) {
                throw new IllegalStateException("policy refused: " + r.getCode() + " " + r.getPayloadString());
            }
        }
        return new Setup(device, owner, policy);
    }

    /** Asks gateway {@code g}'s key server until it grants (it learns of the token when it commits the block). */
    private static void awaitAccess(Testnet net, int g, Ed25519.KeyPair client, byte[] cti, String device) throws Exception {
        byte[] request = new AccessRequest(cti, device, PATH, Aif.GET).encode();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (ClientEndpoint c = endpoint(net, g, client)) {
            while (true) {
                Response r = c.post("access", request);
                if (r.getCode() == ResponseCode.CONTENT) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("gateway " + g + "'s key server still refuses: " + r.getCode() + " "
                            + r.getPayloadString());
                }
                Thread.sleep(2);
            }
        }
    }

    private static ClientEndpoint endpoint(Testnet net, int g, Ed25519.KeyPair key) throws IOException {
        TestnetLayout.Gateway gw = net.layout().gateway(g);
        Path home = net.dir().resolve(gw.home());
        GatewayConfig config = GatewayConfig.load(home);
        byte[] gatewayKey = Genesis.load(GatewayHome.at(home).genesis()).publicKeys().get(g);
        return ClientEndpoint.connect(new InetSocketAddress(config.coapHost(), config.authzPortOrDefault()), key, gatewayKey);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static double percentile(double[] v, int p) {
        if (v.length == 0) {
            return 0;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
