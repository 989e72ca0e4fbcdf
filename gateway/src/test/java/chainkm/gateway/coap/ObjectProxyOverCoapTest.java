package chainkm.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.proxy.ObjectAdmission;
import chainkm.gateway.proxy.ObjectCache;
import chainkm.protocol.cose.ProtectedObject;
import chainkm.protocol.cose.ProtectedResource;
import chainkm.protocol.cose.SignedObject;
import chainkm.protocol.crypto.Ed25519;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The caching proxy over the wire: devices push over real DTLS sessions with their raw public keys
 * ({@code PUT /objects/<path>} on the device endpoint), anyone reads over plain CoAP
 * ({@code GET /objects/<device>/<path>}, with Observe).
 */
class ObjectProxyOverCoapTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair gateway = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair kitchen = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair garage = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair enrollment = Ed25519.KeyPair.generate(RANDOM);
    private final byte[] groupKey = new byte[16];
    private final AtomicLong sequence = new AtomicLong(1);
    private final FakeDeviceService service = new FakeDeviceService();
    private final ObjectCache cache = new ObjectCache(ObjectCache.Limits.DEFAULT);
    private CoapGatewayServer server;
    private ProxyCoapServer proxy;
    private CoapClient reader;

    @BeforeAll
    static void quietCalifornium() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.californium")).setLevel(Level.ERROR);
    }

    @BeforeEach
    void start() {
        RANDOM.nextBytes(groupKey);
        service.identity(new DeviceIdentity("kitchen-1", DeviceIdentity.State.ACTIVE, kitchen.publicKey(), 1, 1, 3));
        service.identity(new DeviceIdentity("garage-1", DeviceIdentity.State.ACTIVE, garage.publicKey(), 1, 1, 4));
        service.identity(new DeviceIdentity("new-1", DeviceIdentity.State.ENROLLED, enrollment.publicKey(), 1, 1, 0));
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        proxy = ProxyCoapServer.start(cache, loopback);
        server = CoapGatewayServer.start(service, loopback, gateway, node -> null, null, new ObjectAdmission(cache));
        reader = plainClient();
        reader.setTimeout(5_000L);
    }

    @AfterEach
    void stop() {
        reader.shutdown();
        reader.getEndpoint().destroy();
        server.close();
        proxy.close();
    }

    private byte[] signed(String device, String path, Ed25519.KeyPair key) {
        ProtectedResource r = new ProtectedResource(device, path);
        return SignedObject.sign(ProtectedObject.seal(r, 2, groupKey, sequence::getAndIncrement, new byte[] {42}), r, key)
                .encode();
    }

    private Response push(Ed25519.KeyPair as, String path, byte[] bytes) throws Exception {
        try (DtlsTestClient c = DtlsTestClient.device(server.port(), as, gateway.publicKey())) {
            return c.put("objects" + path, bytes, ProxyCoapServer.COSE_SIGN1);
        }
    }

    private String url(String device, String path) {
        return "coap://127.0.0.1:" + proxy.port() + "/objects/" + device + path;
    }

    @Test
    void aPushedObjectIsServedAnonymouslyWithItsExactBytes() throws Exception {
        assertEquals(ResponseCode.NOT_FOUND, reader.setURI(url("kitchen-1", "/sensors/temperature")).get().getCode());
        byte[] bytes = signed("kitchen-1", "/sensors/temperature", kitchen);
        Response r = push(kitchen, "/sensors/temperature", bytes);
        assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
        CoapResponse got = reader.setURI(url("kitchen-1", "/sensors/temperature")).get();
        assertEquals(ResponseCode.CONTENT, got.getCode());
        assertEquals(18, got.getOptions().getContentFormat());
        assertArrayEquals(bytes, got.getPayload());
        assertEquals(ResponseCode.NOT_FOUND, reader.setURI(url("kitchen-1", "/sensors")).get().getCode());
        assertEquals(ResponseCode.METHOD_NOT_ALLOWED,
                reader.setURI(url("kitchen-1", "/sensors/temperature")).put(bytes, 18).getCode());
    }

    @Test
    void observersHearEachNewObject() throws Exception {
        push(kitchen, "/temperature", signed("kitchen-1", "/temperature", kitchen));
        BlockingQueue<byte[]> heard = new LinkedBlockingQueue<>();
        CoapObserveRelation relation = reader.setURI(url("kitchen-1", "/temperature")).observe(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                heard.add(response.getPayload());
            }

            @Override
            public void onError() {
            }
        });
        try {
            assertNotNull(heard.poll(5, TimeUnit.SECONDS), "the registration's answer");
            for (int i = 0; i < 3; i++) {
                byte[] next = signed("kitchen-1", "/temperature", kitchen);
                assertEquals(ResponseCode.CHANGED, push(kitchen, "/temperature", next).getCode());
                assertArrayEquals(next, heard.poll(5, TimeUnit.SECONDS), "notification " + i);
            }
            // a refused push notifies nothing
            assertEquals(ResponseCode.FORBIDDEN, push(garage, "/temperature", signed("kitchen-1", "/temperature", garage))
                    .getCode());
            assertEquals(null, heard.poll(500, TimeUnit.MILLISECONDS));
        } finally {
            relation.proactiveCancel();
        }
    }

    @Test
    void refusalsOverTheWireNameTheirReasonAndChangeNothing() throws Exception {
        byte[] genuine = signed("kitchen-1", "/temperature", kitchen);
        byte[] newer = signed("kitchen-1", "/temperature", kitchen);
        assertEquals(ResponseCode.CHANGED, push(kitchen, "/temperature", newer).getCode());
        try (LogLines log = new LogLines()) {
            Response replay = push(kitchen, "/temperature", genuine);
            assertEquals(ResponseCode.FORBIDDEN, replay.getCode());
            assertTrue(replay.getPayloadString().startsWith("REPLAY"), replay.getPayloadString());
            Response other = push(garage, "/temperature", signed("kitchen-1", "/temperature", kitchen));
            assertEquals(ResponseCode.FORBIDDEN, other.getCode());
            assertTrue(other.getPayloadString().startsWith("BAD_SIGNATURE"), other.getPayloadString());
            byte[] tampered = signed("kitchen-1", "/temperature", kitchen);
            tampered[tampered.length - 1] ^= 1; // in the signature
            Response bad = push(kitchen, "/temperature", tampered);
            assertEquals(ResponseCode.FORBIDDEN, bad.getCode());
            assertTrue(bad.getPayloadString().startsWith("BAD_SIGNATURE"), bad.getPayloadString());
            Response enrolling = push(enrollment, "/temperature", signed("new-1", "/temperature", enrollment));
            assertEquals(ResponseCode.FORBIDDEN, enrolling.getCode());
            try (DtlsTestClient c = DtlsTestClient.device(server.port(), kitchen, gateway.publicKey())) {
                Response text = c.put("objects/temperature", newer, MediaTypeRegistry.TEXT_PLAIN);
                assertEquals(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, text.getCode());
            }
            assertEquals(1, log.count("refused (REPLAY)"));
            assertEquals(2, log.count("refused (BAD_SIGNATURE)"));
            assertEquals(1, log.count("enrollment session"));
        }
        assertArrayEquals(newer, reader.setURI(url("kitchen-1", "/temperature")).get().getPayload());
        assertEquals(ResponseCode.NOT_FOUND, reader.setURI(url("garage-1", "/temperature")).get().getCode());
        assertEquals(1, cache.size());
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
