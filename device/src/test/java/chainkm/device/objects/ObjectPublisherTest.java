package chainkm.device.objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chainkm.device.store.FileKeyStore;
import chainkm.protocol.cose.BlockNonceSource;
import chainkm.protocol.cose.ProtectedObject;
import chainkm.protocol.cose.ProtectedResource;
import chainkm.protocol.cose.SignedObject;
import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The device as resource server: what it seals, signs, pushes and serves, and with which nonces. */
class ObjectPublisherTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PATH = "/temperature";

    @TempDir
    Path dir;
    private final Ed25519.KeyPair identity = Ed25519.KeyPair.generate(RANDOM);
    private final byte[] storeKey = new byte[16];
    private final byte[] groupKey = new byte[16];
    private final Map<String, SessionKey> keys = new ConcurrentHashMap<>();
    private final List<byte[]> pushed = new CopyOnWriteArrayList<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ObjectPublisher.class);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private int readings;

    @BeforeEach
    void setUp() {
        RANDOM.nextBytes(storeKey);
        RANDOM.nextBytes(groupKey);
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(log);
    }

    private ObjectPublisher publisher(FileKeyStore store) {
        return new ObjectPublisher("kitchen-1", List.of(PATH), identity,
                new BlockNonceSource(n -> store.nextNonceCounter("object-seq", n), 4),
                path -> Optional.ofNullable(keys.get(path)),
                path -> ("{\"n\":" + (readings++) + "}").getBytes(StandardCharsets.UTF_8),
                (path, bytes) -> pushed.add(bytes));
    }

    private ProtectedObject verified(byte[] bytes) throws Exception {
        return SignedObject.decode(bytes).verify(new ProtectedResource("kitchen-1", PATH), identity.publicKey());
    }

    @Test
    void sealsUnderTheSessionKeySignsAndPushesTheReading() throws Exception {
        keys.put(PATH, new SessionKey(9, groupKey));
        try (FileKeyStore store = FileKeyStore.open(dir.resolve("keys.store"), storeKey)) {
            SignedObject published = publisher(store).publish(PATH).orElseThrow();
            assertEquals(1, pushed.size());
            assertArrayEquals(published.encode(), pushed.get(0));
            ProtectedObject o = verified(pushed.get(0));
            assertEquals(9, o.session());
            assertEquals("{\"n\":0}", new String(o.open(new ProtectedResource("kitchen-1", PATH), groupKey),
                    StandardCharsets.UTF_8));
        }
    }

    @Test
    void noKeyNoObjectAndOneLogLineUntilAKeyComes() throws Exception {
        try (FileKeyStore store = FileKeyStore.open(dir.resolve("keys.store"), storeKey)) {
            ObjectPublisher p = publisher(store);
            for (int i = 0; i < 5; i++) {
                assertTrue(p.publish(PATH).isEmpty());
            }
            assertEquals(0, pushed.size(), "nothing sent without a key, never plaintext");
            assertTrue(p.latest(PATH).isEmpty());
            assertEquals(0, readings, "not even read");
            assertEquals(1, log.list.stream().filter(e -> e.getFormattedMessage().contains("no group session key")).count());
            keys.put(PATH, new SessionKey(1, groupKey));
            assertTrue(p.publish(PATH).isPresent());
            assertEquals(1, pushed.size());
        }
    }

    @Test
    void sequenceNumbersAreNeverReusedAcrossReboots() throws Exception {
        keys.put(PATH, new SessionKey(1, groupKey));
        List<Long> sequences = new ArrayList<>();
        for (int boot = 0; boot < 5; boot++) {
            try (FileKeyStore store = FileKeyStore.open(dir.resolve("keys.store"), storeKey)) {
                ObjectPublisher p = publisher(store); // a new agent after a reboot: a new nonce source
                for (int i = 0; i < 3; i++) {
                    p.publish(PATH);
                }
            } // the store closes as a crash would leave it: the rest of the reserved block is skipped
        }
        for (byte[] b : pushed) {
            sequences.add(verified(b).sequence());
        }
        assertEquals(15, sequences.size());
        assertEquals(15, new TreeSet<>(sequences).size(), "no nonce twice: " + sequences);
        for (int i = 1; i < sequences.size(); i++) {
            assertTrue(sequences.get(i) > sequences.get(i - 1), "numbers only grow: " + sequences);
        }
    }

    @Test
    void aFailedPushStillServesTheObjectLocally() throws Exception {
        keys.put(PATH, new SessionKey(1, groupKey));
        try (FileKeyStore store = FileKeyStore.open(dir.resolve("keys.store"), storeKey)) {
            ObjectPublisher p = new ObjectPublisher("kitchen-1", List.of(PATH), identity,
                    new BlockNonceSource(n -> store.nextNonceCounter("object-seq", n), 4),
                    path -> Optional.ofNullable(keys.get(path)), path -> new byte[] {1},
                    (path, bytes) -> {
                        throw new IOException("gateway unreachable");
                    });
            SignedObject o = p.publish(PATH).orElseThrow();
            assertArrayEquals(o.encode(), p.latest(PATH).orElseThrow().encode());
        }
    }

    @Test
    void theDeviceServesItsLatestObjectOverCoapWithObserve() throws Exception {
        keys.put(PATH, new SessionKey(1, groupKey));
        try (FileKeyStore store = FileKeyStore.open(dir.resolve("keys.store"), storeKey)) {
            ObjectPublisher p = publisher(store);
            try (ResourceServer server = ResourceServer.start(p, new ResourceServer.Options(List.of(PATH), Duration.ZERO,
                    new InetSocketAddress("127.0.0.1", 0)))) {
                CoapClient client = plainClient();
                client.setURI("coap://127.0.0.1:" + server.address().orElseThrow().getPort() + PATH);
                client.setTimeout(5_000L);
                try {
                    assertEquals(ResponseCode.NOT_FOUND, client.get().getCode());
                    SignedObject first = p.publish(PATH).orElseThrow();
                    CoapResponse got = client.get();
                    assertEquals(18, got.getOptions().getContentFormat());
                    assertArrayEquals(first.encode(), got.getPayload());
                    BlockingQueue<byte[]> heard = new LinkedBlockingQueue<>();
                    CoapObserveRelation relation = client.observe(new CoapHandler() {
                        @Override
                        public void onLoad(CoapResponse response) {
                            heard.add(response.getPayload());
                        }

                        @Override
                        public void onError() {
                        }
                    });
                    assertNotNull(heard.poll(5, TimeUnit.SECONDS));
                    SignedObject second = p.publish(PATH).orElseThrow();
                    assertArrayEquals(second.encode(), heard.poll(5, TimeUnit.SECONDS));
                    relation.proactiveCancel();
                } finally {
                    client.shutdown();
                    client.getEndpoint().destroy();
                }
            }
        }
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
