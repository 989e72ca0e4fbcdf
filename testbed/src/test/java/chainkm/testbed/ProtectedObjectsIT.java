package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import COSE.Encrypt0Message;
import COSE.Message;
import COSE.MessageTag;
import COSE.OneKey;
import COSE.Sign1Message;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.agent.Provisioning;
import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.coap.GatewayResponseException;
import chainkm.device.objects.ResourceServer;
import chainkm.device.objects.SessionKey;
import chainkm.gateway.GatewayConfig;
import chainkm.protocol.authz.CoseKey;
import chainkm.protocol.cose.ProtectedObject;
import chainkm.protocol.cose.ProtectedResource;
import chainkm.protocol.cose.SignedObject;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import com.upokecenter.cbor.CBORObject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.Security;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, protected objects and the caching proxy, on a real 2-gateway testnet with real device
 * agents: kitchen publishes /temperature (sealed under a session key the test sets, in place of
 * the group follower), a reader with nothing but the key GETs and Observes it anonymously through
 * gateway 1's proxy and directly from the device, and checks the signature with the key the ledger
 * holds for kitchen. The attacks on the proxy (another enrolled device pushing an object naming
 * kitchen, a bad signature, a replay of an older object) are refused with a reason and a log line,
 * and the cache does not change. A stock libcoap {@code coap-client} gets the exact bytes, which
 * cose-java decodes.
 */
class ProtectedObjectsIT extends ScenarioIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PATH = "/temperature";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] groupKey = new byte[16];
    private final Map<String, SessionKey> sessionKeys = new ConcurrentHashMap<>();
    private final AtomicInteger readings = new AtomicInteger();
    private final ProtectedResource resource = new ProtectedResource("kitchen", PATH);
    private ResourceServer kitchen;
    private CoapClient reader;
    private int proxyPort;
    private byte[] older;
    private DeviceAgent restarted;

    @BeforeAll
    void kitchenAndMalloryOnGateway1() throws Exception {
        RANDOM.nextBytes(groupKey);
        net = RunningTestnet.start(dir, 2);
        sim = SimulatedDevices.create(dir);
        sim.startOne("kitchen", 1);
        sim.startOne("mallory", 1);
        awaitEveryDeviceAtLedgerSeq(WAIT);
        sessionKeys.put(PATH, new SessionKey(5, groupKey));
        kitchen = startPublishing(sim.get("kitchen").agent());
        proxyPort = GatewayConfig.load(dir.resolve("gateway-1")).proxyPortOrDefault();
        reader = plainClient();
        reader.setTimeout(10_000L);
        Security.addProvider(new BouncyCastleProvider()); // cose-java's AES-CCM
        Security.addProvider(new net.i2p.crypto.eddsa.EdDSASecurityProvider()); // and its EdDSA
    }

    @AfterAll
    void stopReader() {
        if (restarted != null) {
            restarted.close();
        }
        if (reader != null) {
            reader.shutdown();
            reader.getEndpoint().destroy();
        }
        Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
        Security.removeProvider("EdDSA");
    }

    private ResourceServer startPublishing(DeviceAgent agent) {
        return agent.publishObjects(new ResourceServer.Options(List.of(PATH), Duration.ZERO,
                        new InetSocketAddress("127.0.0.1", 0)),
                path -> Optional.ofNullable(sessionKeys.get(path)),
                path -> ("{\"celsius\":" + (20 + readings.incrementAndGet()) + "}").getBytes(StandardCharsets.UTF_8));
    }

    private String proxyUrl() {
        return "coap://127.0.0.1:" + proxyPort + "/objects/kitchen" + PATH;
    }

    private String deviceUrl() {
        return "coap://127.0.0.1:" + kitchen.address().orElseThrow().getPort() + PATH;
    }

    private byte[] get(String url) {
        try {
            CoapResponse r = reader.setURI(url).get();
            assertNotNull(r, "no answer from " + url);
            assertEquals(ResponseCode.CONTENT, r.getCode(), url + ": " + r.getResponseText());
            assertEquals(18, r.getOptions().getContentFormat(), "application/cose; cose-type=\"cose-sign1\"");
            return r.getPayload();
        } catch (Exception e) {
            throw new AssertionError(url, e);
        }
    }

    /** The device's key as the ledger holds it (what any reader can look up). */
    private byte[] ledgerKey(String device) {
        return Hex.decode(net.query(1, "/identity", device).path("key").asText());
    }

    /** What a reader does with an object: check the signature against the ledger's key, open it with K_j. */
    private String read(byte[] bytes) throws Exception {
        ProtectedObject o = SignedObject.decode(bytes).verify(resource, ledgerKey("kitchen"));
        assertEquals(5, o.session());
        return new String(o.open(resource, groupKey), StandardCharsets.UTF_8);
    }

    /** A DTLS session with the gateway as the device whose identity key is in name's state directory. */
    private GatewayCoapClient actingAs(String name) throws Exception {
        Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(
                Files.readAllBytes(sim.stateDir(name).resolve(DeviceAgent.IDENTITY_KEY_FILE)));
        Provisioning.Gateway g = sim.provisioning(name).gateway(1);
        return new GatewayCoapClient(g.coap(), key, g.signingKey(), Duration.ofSeconds(20));
    }

    private long logLines(String text) {
        return net.log(1).lines().filter(l -> l.contains(text)).count();
    }

    @Test
    @Order(1)
    void aReaderGetsTheDevicesObjectThroughTheProxyAnonymously() throws Exception {
        older = kitchen.publisher().publish(PATH).orElseThrow().encode();
        byte[] latest = kitchen.publisher().publish(PATH).orElseThrow().encode();
        RunningTestnet.await("gateway 1's proxy to serve kitchen's latest object", WAIT,
                () -> java.util.Arrays.equals(latest, get(proxyUrl())));
        assertEquals("{\"celsius\":22}", read(get(proxyUrl())));
    }

    @Test
    @Order(2)
    void andDirectlyFromTheDeviceTheSameBytes() throws Exception {
        byte[] direct = get(deviceUrl());
        assertArrayEquals(get(proxyUrl()), direct);
        assertEquals("{\"celsius\":22}", read(direct));
    }

    @Test
    @Order(3)
    void observersOfTheProxyAndOfTheDeviceHearEachNewReading() throws Exception {
        BlockingQueue<byte[]> viaProxy = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> direct = new LinkedBlockingQueue<>();
        CoapClient observer = plainClient();
        CoapObserveRelation p = observer.setURI(proxyUrl()).observe(collect(viaProxy));
        CoapClient observer2 = plainClient();
        CoapObserveRelation d = observer2.setURI(deviceUrl()).observe(collect(direct));
        try {
            assertNotNull(viaProxy.poll(10, TimeUnit.SECONDS), "the proxy's answer to the registration");
            assertNotNull(direct.poll(10, TimeUnit.SECONDS), "the device's answer to the registration");
            for (int i = 0; i < 3; i++) {
                byte[] next = kitchen.publisher().publish(PATH).orElseThrow().encode();
                assertArrayEquals(next, direct.poll(10, TimeUnit.SECONDS), "direct notification " + i);
                assertArrayEquals(next, viaProxy.poll(10, TimeUnit.SECONDS), "proxy notification " + i);
                assertEquals("{\"celsius\":" + (23 + i) + "}", read(next));
            }
        } finally {
            p.proactiveCancel();
            d.proactiveCancel();
            observer.shutdown();
            observer.getEndpoint().destroy();
            observer2.shutdown();
            observer2.getEndpoint().destroy();
        }
    }

    private static CoapHandler collect(BlockingQueue<byte[]> into) {
        return new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                into.add(response.getPayload());
            }

            @Override
            public void onError() {
            }
        };
    }

    @Test
    @Order(4)
    void anotherEnrolledDevicePushingAnObjectNamingKitchenIsRefused() throws Exception {
        byte[] cached = get(proxyUrl());
        Ed25519.KeyPair malloryKey = Ed25519.KeyPair.fromPrivateKey(
                Files.readAllBytes(sim.stateDir("mallory").resolve(DeviceAgent.IDENTITY_KEY_FILE)));
        // mallory seals a reading of kitchen's resource (with a sequence number far above) and signs it itself
        ProtectedObject forged = ProtectedObject.seal(resource, 5, groupKey, () -> 1L << 40,
                "{\"celsius\":99}".getBytes(StandardCharsets.UTF_8));
        try (GatewayCoapClient mallory = actingAs("mallory")) {
            GatewayResponseException e = assertThrows(GatewayResponseException.class,
                    () -> mallory.putObject(PATH, SignedObject.sign(forged, resource, malloryKey).encode()));
            assertTrue(e.getMessage().contains("4.03") && e.getMessage().contains("BAD_SIGNATURE"), e.getMessage());
            // nor can it pass kitchen's genuine object off as its own
            GatewayResponseException relabel = assertThrows(GatewayResponseException.class,
                    () -> mallory.putObject(PATH, cached));
            assertTrue(relabel.getMessage().contains("BAD_SIGNATURE"), relabel.getMessage());
        }
        RunningTestnet.await("gateway 1 to log both refusals", WAIT,
                () -> logLines("object pushed by mallory for /temperature refused (BAD_SIGNATURE)") == 2);
        assertArrayEquals(cached, get(proxyUrl()), "the cache did not change");
        assertEquals(ResponseCode.NOT_FOUND, reader.setURI("coap://127.0.0.1:" + proxyPort + "/objects/mallory" + PATH)
                .get().getCode());
    }

    @Test
    @Order(5)
    void aTamperedObjectAndAReplayedOlderObjectAreRefused() throws Exception {
        byte[] cached = get(proxyUrl());
        try (GatewayCoapClient asKitchen = actingAs("kitchen")) {
            byte[] tampered = kitchen.publisher().latest(PATH).orElseThrow().encode();
            tampered[tampered.length - 20] ^= 0x40; // inside the signature
            GatewayResponseException bad = assertThrows(GatewayResponseException.class,
                    () -> asKitchen.putObject(PATH, tampered));
            assertTrue(bad.getMessage().contains("4.03") && bad.getMessage().contains("BAD_SIGNATURE"), bad.getMessage());
            GatewayResponseException replay = assertThrows(GatewayResponseException.class,
                    () -> asKitchen.putObject(PATH, older));
            assertTrue(replay.getMessage().contains("4.03") && replay.getMessage().contains("REPLAY"), replay.getMessage());
        }
        RunningTestnet.await("gateway 1 to log both refusals", WAIT,
                () -> logLines("object pushed by kitchen for /temperature refused (BAD_SIGNATURE)") == 1
                        && logLines("object pushed by kitchen for /temperature refused (REPLAY)") == 1);
        assertArrayEquals(cached, get(proxyUrl()), "the cache did not change");
    }

    @Test
    @Order(6)
    void aStockCoapClientGetsTheExactBytesAndCoseJavaDecodesThem() throws Exception {
        byte[] pushed = kitchen.publisher().latest(PATH).orElseThrow().encode();
        Path out = dir.resolve("coap-client.out");
        Process p = new ProcessBuilder("coap-client-notls", "-m", "get", "-o", out.toString(), proxyUrl())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "coap-client did not finish");
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), said);
        byte[] fetched = Files.readAllBytes(out);
        assertArrayEquals(pushed, fetched, "coap-client got the bytes the device signed, unchanged");

        OneKey kitchenKey = new OneKey(CBORObject.DecodeFromBytes(CoseKey.encode(ledgerKey("kitchen"))));
        Sign1Message sign1 = (Sign1Message) Message.DecodeFromBytes(fetched, MessageTag.Sign1);
        sign1.setExternal(resource.externalAad());
        assertTrue(sign1.validate(kitchenKey), "cose-java verifies kitchen's signature with the ledger's key");
        Encrypt0Message inner = (Encrypt0Message) Message.DecodeFromBytes(sign1.GetContent(), MessageTag.Encrypt0);
        inner.setExternal(resource.externalAad());
        assertEquals("{\"celsius\":25}", new String(inner.decrypt(groupKey), StandardCharsets.UTF_8));
    }

    @Test
    @Order(7)
    void afterARestartTheDevicesNewObjectsAreAcceptedAsNewer() throws Exception {
        long cachedSequence = ProtectedObject.decode(SignedObject.decode(get(proxyUrl())).message().unverifiedPayload())
                .sequence();
        sim.stop("kitchen"); // its agent, with its resource server
        restarted = DeviceAgent.start(sim.provisioning("kitchen"), sim.stateDir("kitchen"), DeviceAgent.Options.defaults(),
                (from, payload) -> { });
        kitchen = startPublishing(restarted);
        byte[] next = kitchen.publisher().publish(PATH).orElseThrow().encode();
        long s = ProtectedObject.decode(SignedObject.decode(next).message().unverifiedPayload()).sequence();
        assertTrue(s > cachedSequence, "the restarted device's sequence " + s + " continues above " + cachedSequence);
        RunningTestnet.await("the proxy to take the restarted device's object", WAIT,
                () -> java.util.Arrays.equals(next, get(proxyUrl())));
        assertEquals("{\"celsius\":26}", read(get(proxyUrl())));
    }

    /** {@code bin/chainkm ARGS} in a JVM of its own: its exit code and its one line of JSON. */
    private com.fasterxml.jackson.databind.JsonNode chainkm(int expectedExit, String... args) throws Exception {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(ChainkmJvm.command("96m", List.of(args)))
                .redirectError(ProcessBuilder.Redirect.to(err.toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chainkm " + String.join(" ", args) + " did not end");
        assertEquals(expectedExit, p.exitValue(), "chainkm " + String.join(" ", args) + "\nstdout: " + out
                + "\nstderr: " + Files.readString(err));
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
    }

    @Test
    @Order(8)
    void resourceGetPrintsTheObjectChecksItAndOpensItWithTheKey() throws Exception {
        Path saved = dir.resolve("saved.cose");
        var json = chainkm(0, "resource", "get", "--testnet", dir.toString(), "--gateway", "1", "--device", "kitchen",
                "--resource", PATH, "--session-key", Hex.encode(groupKey), "--save", saved.toString());
        assertEquals("valid", json.path("signature").asText(), json.toString());
        assertEquals(5, json.path("session").asLong());
        assertEquals("{\"celsius\":26}", json.path("plaintext").asText());
        assertEquals(Hex.encode(ledgerKey("kitchen")), json.path("device_key").asText());
        assertArrayEquals(get(proxyUrl()), Files.readAllBytes(saved));
        var direct = chainkm(0, "resource", "get", "--testnet", dir.toString(), "--device", "kitchen", "--resource", PATH,
                "--direct", "127.0.0.1:" + kitchen.address().orElseThrow().getPort());
        assertEquals(json.path("sequence").asLong(), direct.path("sequence").asLong());
        assertTrue(direct.path("plaintext").isMissingNode(), "no key, no plaintext");
        var none = chainkm(4, "resource", "get", "--testnet", dir.toString(), "--device", "mallory", "--resource", PATH);
        assertEquals(false, none.path("found").asBoolean(true));
    }

    @Test
    @Order(9)
    void resourcePutOfAnOldObjectAsTheDeviceIsRefusedAsAReplay() throws Exception {
        Path old = dir.resolve("old.cose");
        Files.write(old, older);
        Path bundle = dir.resolve("kitchen-bundle.properties");
        sim.provisioning("kitchen").save(bundle);
        byte[] cached = get(proxyUrl());
        var json = chainkm(4, "resource", "put", "--testnet", dir.toString(), "--device", "kitchen", "--resource", PATH,
                "--state", sim.stateDir("kitchen").toString(), "--bundle", bundle.toString(), "--object", old.toString());
        assertEquals("4.03", json.path("code").asText(), json.toString());
        assertTrue(json.path("reason").asText().startsWith("REPLAY"), json.toString());
        assertArrayEquals(cached, get(proxyUrl()), "the cache did not change");
        // the newest object, pushed again, is a replay too; a fresh one from the device is taken
        byte[] fresh = kitchen.publisher().publish(PATH).orElseThrow().encode();
        assertArrayEquals(fresh, get(proxyUrl()));
    }

    /** A plain CoAP client configured in code (no Californium3.properties written to the working directory). */
    static CoapClient plainClient() {
        org.eclipse.californium.elements.config.Configuration config = new org.eclipse.californium.elements.config.Configuration(
                org.eclipse.californium.elements.config.SystemConfig.DEFINITIONS,
                org.eclipse.californium.elements.config.UdpConfig.DEFINITIONS,
                org.eclipse.californium.core.config.CoapConfig.DEFINITIONS);
        CoapClient client = new CoapClient();
        client.setEndpoint(new org.eclipse.californium.core.network.CoapEndpoint.Builder().setConfiguration(config).build());
        return client;
    }
}
