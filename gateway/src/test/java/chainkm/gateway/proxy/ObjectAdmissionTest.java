package chainkm.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chainkm.protocol.cose.BlockNonceSource;
import chainkm.protocol.cose.NonceSource;
import chainkm.protocol.cose.ProtectedObject;
import chainkm.protocol.cose.ProtectedResource;
import chainkm.protocol.cose.SignedObject;
import chainkm.protocol.crypto.Ed25519;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The proxy's acceptance rules, each refusal performed as the attack: the refusal names its rule,
 * writes one log line, and leaves the cache as it was.
 */
class ObjectAdmissionTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair kitchen = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair garage = Ed25519.KeyPair.generate(RANDOM);
    private final byte[] groupKey = new byte[16];
    private final AtomicLong next = new AtomicLong(100);
    private final NonceSource nonces = next::getAndIncrement;
    private final ObjectCache cache = new ObjectCache(new ObjectCache.Limits(1024, 8, 3));
    private final ObjectAdmission admission = new ObjectAdmission(cache);
    private final Logger logger = (Logger) LoggerFactory.getLogger(ObjectAdmission.class);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void listen() {
        RANDOM.nextBytes(groupKey);
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(log);
    }

    private byte[] signed(String device, String path, Ed25519.KeyPair key) {
        ProtectedResource r = new ProtectedResource(device, path);
        ProtectedObject o = ProtectedObject.seal(r, 7, groupKey, nonces, "{\"celsius\":21.5}".getBytes(StandardCharsets.UTF_8));
        return SignedObject.sign(o, r, key).encode();
    }

    private List<String> lines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private void assertRefused(PushOutcome outcome, PushRefusal kind, String reasonPart) {
        assertEquals(kind, outcome.refusal(), outcome.reason());
        assertTrue(outcome.reason().contains(reasonPart), outcome.reason());
        assertEquals(1, lines().stream().filter(l -> l.contains("refused (" + kind + ")")).count(), lines().toString());
    }

    @Test
    void cachesTheDevicesOwnObjectWithTheBytesItSigned() {
        byte[] bytes = signed("kitchen-1", "/temperature", kitchen);
        PushOutcome outcome = admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", bytes);
        assertTrue(outcome.isAccepted(), outcome.reason());
        CachedObject cached = cache.get(new ProtectedResource("kitchen-1", "/temperature")).orElseThrow();
        assertArrayEquals(bytes, cached.bytes());
        assertEquals(7, cached.session());
        assertEquals(100, cached.sequence());
        assertEquals(16, cached.readingSize());
    }

    @Test
    void refusesAnObjectPushedByAnotherDeviceNamingThisOne() {
        byte[] genuine = signed("kitchen-1", "/temperature", kitchen);
        assertTrue(admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", genuine).isAccepted());
        // garage-1 (enrolled, its own DTLS session) forges an object naming kitchen-1, with its own key...
        byte[] forged = signed("kitchen-1", "/temperature", garage);
        assertRefused(admission.admit("garage-1", garage.publicKey(), "/temperature", forged),
                PushRefusal.BAD_SIGNATURE, "garage-1's object");
        // ...or pushes kitchen-1's genuine (newer) object as its own
        byte[] newer = signed("kitchen-1", "/temperature", kitchen);
        PushOutcome relabelled = admission.admit("garage-1", garage.publicKey(), "/temperature", newer);
        assertEquals(PushRefusal.BAD_SIGNATURE, relabelled.refusal());
        assertArrayEquals(genuine, cache.get(new ProtectedResource("kitchen-1", "/temperature")).orElseThrow().bytes());
        assertTrue(cache.get(new ProtectedResource("garage-1", "/temperature")).isEmpty());
        assertEquals(1, cache.size());
    }

    @Test
    void refusesTamperedBytesEvenWhenTheyStillDecode() {
        byte[] bytes = signed("kitchen-1", "/temperature", kitchen);
        int refusedTampered = 0;
        for (int i = 0; i < bytes.length; i++) {
            byte[] t = bytes.clone();
            t[i] ^= 0x01;
            PushOutcome o = admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", t);
            assertTrue(!o.isAccepted(), "byte " + i + " flipped was accepted");
            assertTrue(o.refusal() == PushRefusal.MALFORMED || o.refusal() == PushRefusal.BAD_SIGNATURE, o.toString());
            if (o.refusal() == PushRefusal.BAD_SIGNATURE) {
                refusedTampered++;
            }
        }
        assertTrue(refusedTampered > 50, "most flips decode and fail the signature: " + refusedTampered);
        assertEquals(0, cache.size());
        assertEquals(bytes.length, lines().stream().filter(l -> l.contains("refused (")).count());
    }

    @Test
    void refusesAnObjectOfAnotherPath() {
        byte[] humidity = signed("kitchen-1", "/humidity", kitchen);
        assertRefused(admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", humidity),
                PushRefusal.BAD_SIGNATURE, "object of /temperature");
        assertEquals(0, cache.size());
    }

    @Test
    void refusesAReplayedOrEqualSequenceNumber() {
        byte[] older = signed("kitchen-1", "/temperature", kitchen);
        byte[] newer = signed("kitchen-1", "/temperature", kitchen);
        assertTrue(admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", newer).isAccepted());
        assertRefused(admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", older),
                PushRefusal.REPLAY, "sequence 100 is not above the cached 101");
        PushOutcome again = admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", newer);
        assertEquals(PushRefusal.REPLAY, again.refusal());
        assertArrayEquals(newer, cache.get(new ProtectedResource("kitchen-1", "/temperature")).orElseThrow().bytes());
    }

    @Test
    void refusesMalformedOversizedAndBadPaths() {
        assertRefused(admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", new byte[] {1, 2, 3}),
                PushRefusal.MALFORMED, "not a tagged COSE_Sign1");
        ProtectedResource r = new ProtectedResource("kitchen-1", "/big");
        byte[] big = SignedObject.sign(ProtectedObject.seal(r, 1, groupKey, nonces, new byte[1000]), r, kitchen).encode();
        assertRefused(admission.admit("kitchen-1", kitchen.publicKey(), "/big", big), PushRefusal.TOO_LARGE,
                "the limit is 1024");
        assertRefused(admission.admit("kitchen-1", kitchen.publicKey(), "/with space", new byte[10]),
                PushRefusal.BAD_PATH, "printable");
        for (String unreachable : List.of("/", "/a//b", "/a/", "/a/../b", "/./a")) {
            PushOutcome o = admission.admit("kitchen-1", kitchen.publicKey(), unreachable,
                    signed("kitchen-1", unreachable, kitchen));
            assertEquals(PushRefusal.BAD_PATH, o.refusal(), unreachable);
        }
        assertEquals(0, cache.size());
    }

    @Test
    void boundsEntriesPerDeviceAndInAll() {
        for (String p : List.of("/a", "/b", "/c")) {
            assertTrue(admission.admit("kitchen-1", kitchen.publicKey(), p, signed("kitchen-1", p, kitchen)).isAccepted());
        }
        assertRefused(admission.admit("kitchen-1", kitchen.publicKey(), "/d", signed("kitchen-1", "/d", kitchen)),
                PushRefusal.DEVICE_FULL, "3 resources");
        // a cached path still takes newer objects
        assertTrue(admission.admit("kitchen-1", kitchen.publicKey(), "/a", signed("kitchen-1", "/a", kitchen)).isAccepted());
        Ed25519.KeyPair[] others = new Ed25519.KeyPair[3];
        int accepted = 0;
        for (int d = 0; d < others.length; d++) {
            others[d] = Ed25519.KeyPair.generate(RANDOM);
            for (String p : List.of("/a", "/b")) {
                if (admission.admit("dev-" + d, others[d].publicKey(), p, signed("dev-" + d, p, others[d])).isAccepted()) {
                    accepted++;
                }
            }
        }
        assertEquals(5, accepted, "8 entries in all: 3 of kitchen-1 and 5 others");
        assertEquals(8, cache.size());
        assertEquals(1, lines().stream().filter(l -> l.contains("refused (CACHE_FULL)")).count());
    }

    @Test
    void listenersHearEachCachedObjectOnly() {
        List<CachedObject> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        cache.addListener(heard::add);
        byte[] first = signed("kitchen-1", "/temperature", kitchen);
        admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", first);
        admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", first);
        admission.admit("garage-1", garage.publicKey(), "/temperature", first);
        assertEquals(1, heard.size());
        assertEquals(100, heard.get(0).sequence());
    }

    @Test
    void blockNonceSourceNumbersAreAcceptedInOrder() {
        AtomicLong mark = new AtomicLong();
        NonceSource blocks = new BlockNonceSource(n -> mark.getAndAdd(n), 4);
        ProtectedResource r = new ProtectedResource("kitchen-1", "/temperature");
        for (int i = 0; i < 10; i++) {
            byte[] b = SignedObject.sign(ProtectedObject.seal(r, 1, groupKey, blocks, new byte[4]), r, kitchen).encode();
            assertTrue(admission.admit("kitchen-1", kitchen.publicKey(), "/temperature", b).isAccepted());
        }
        assertEquals(9, cache.sequence(r));
    }
}
