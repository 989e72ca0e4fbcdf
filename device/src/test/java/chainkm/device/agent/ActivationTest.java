package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chainkm.device.coap.FakeGateway;
import chainkm.device.keys.DeviceKeys;
import chainkm.device.store.InMemoryKeyStore;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.rekey.JoinBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** First boot against a fake gateway speaking DTLS with raw public keys: identity key, activation, join. */
class ActivationTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(1500);
    private static final String NAME = "dev-7";
    private static final int GATEWAY_ID = 1;
    private static final int NODE = 21;
    private static final int SET = 3;

    @TempDir
    Path root;
    private Path state;
    private final Ed25519.KeyPair gatewayKey = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair enrollment = Ed25519.KeyPair.generate(RANDOM);
    private FakeGateway gateway;
    private final ListAppender<ILoggingEvent> logLines = new ListAppender<>();

    @BeforeAll
    static void quietCalifornium() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.californium")).setLevel(Level.WARN);
    }

    @BeforeEach
    void start() throws IOException {
        state = root.resolve("state");
        gateway = new FakeGateway(gatewayKey);
        gateway.enroll(NAME, enrollment.publicKey());
        gateway.joinAnswer = (name, commitment) -> new JoinBundle(GATEWAY_ID, NODE, SET, 5, commitment,
                List.of(new KeyMaterial(KeyId.nodeKey(NODE), new byte[16], 5))).encode();
        logLines.start();
        root().addAppender(logLines);
    }

    @AfterEach
    void stop() {
        root().detachAppender(logLines);
        gateway.close();
    }

    private static ch.qos.logback.classic.Logger root() {
        return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private Provisioning.Gateway gatewayEntry(int id, byte[] key) {
        return new Provisioning.Gateway(id, gateway.address(), "ssl://127.0.0.1:8883", TlsPin.of(new byte[32]), key);
    }

    private Provisioning bundle() {
        return new Provisioning(NAME, enrollment.privateKeyBytes(), List.of(gatewayEntry(GATEWAY_ID, gatewayKey.publicKey())));
    }

    private static DeviceKeys emptyKeys() {
        return new DeviceKeys(new InMemoryKeyStore(), Map.of(), Duration.ofSeconds(30), Clock.systemUTC());
    }

    @Test
    void firstBootActivatesTheDevicesOwnKeyThenJoinsWithIt() throws IOException {
        Provisioning p = bundle();
        Ed25519.KeyPair identity = IdentityKey.loadOrCreate(state);
        assertTrue(Activation.ifNeeded(p, state, identity, true, TIMEOUT));
        assertTrue(Activation.recorded(state));
        assertEquals(Hex.encode(identity.publicKey()), gateway.activeKeyOf(NAME).orElseThrow(),
                "the ledger holds the key the device made, not one anybody else knows");

        DeviceKeys keys = emptyKeys();
        assertTrue(Join.ifNeeded(p, state, keys, identity, TIMEOUT));
        assertEquals(NODE, keys.nodeId());
        assertEquals(List.of(NAME + " activate", NAME + " join"), gateway.requests);

        // the next start does neither again
        assertFalse(Activation.ifNeeded(p, state, IdentityKey.loadOrCreate(state), false, TIMEOUT));
        assertFalse(Join.ifNeeded(p, state, keys, identity, TIMEOUT));
        assertEquals(2, gateway.requests.size());
        assertNoKeyBytesLogged(identity, enrollment);
    }

    @Test
    void aCrashBetweenTheIdentityKeyAndTheActivationActivatesTheSameKeyAtTheNextStart() throws IOException {
        Ed25519.KeyPair beforeCrash = IdentityKey.loadOrCreate(state); // written, then the device lost power
        assertFalse(Activation.recorded(state));

        assertTrue(IdentityKey.exists(state));
        Ed25519.KeyPair afterRestart = IdentityKey.loadOrCreate(state);
        assertArrayEquals(beforeCrash.publicKey(), afterRestart.publicKey());
        assertTrue(Activation.ifNeeded(bundle(), state, afterRestart, false, TIMEOUT));
        assertEquals(Hex.encode(beforeCrash.publicKey()), gateway.activeKeyOf(NAME).orElseThrow());
    }

    @Test
    void aCrashAfterTheActivationWasCommittedButBeforeTheMarkerEndsActivatedAtTheNextStart() throws IOException {
        Ed25519.KeyPair identity = IdentityKey.loadOrCreate(state);
        gateway.dropActivateAnswer = true; // committed, but the device never heard the 2.04
        assertThrows(IOException.class, () -> Activation.ifNeeded(bundle(), state, identity, true, SHORT));
        assertFalse(Activation.recorded(state));
        assertEquals(Hex.encode(identity.publicKey()), gateway.activeKeyOf(NAME).orElseThrow());

        gateway.dropActivateAnswer = false;
        // the enrollment key opens nothing any more; the identity key's handshake proves it is done
        assertTrue(Activation.ifNeeded(bundle(), state, IdentityKey.loadOrCreate(state), false, SHORT));
        assertTrue(Activation.recorded(state));
        assertTrue(gateway.refusedHandshakes.get() > 0, "the spent enrollment key was refused");
    }

    @Test
    void aGatewayThatPresentsAnotherKeyThanTheBundlesIsSkippedAndNothingIsSentToIt() throws IOException {
        Ed25519.KeyPair impostor = Ed25519.KeyPair.generate(RANDOM);
        // gateway 1 of the bundle is answered by a server with the wrong key; gateway 2 is genuine
        Provisioning p = new Provisioning(NAME, enrollment.privateKeyBytes(),
                List.of(gatewayEntry(1, impostor.publicKey()), gatewayEntry(2, gatewayKey.publicKey())));
        Ed25519.KeyPair identity = IdentityKey.loadOrCreate(state);
        assertTrue(Activation.ifNeeded(p, state, identity, true, SHORT));
        assertEquals(List.of(NAME + " activate"), gateway.requests, "exactly one activation, through gateway 2");
        assertTrue(logLines.list.stream().anyMatch(l -> l.getFormattedMessage().contains(
                "not the key the provisioning bundle holds for this gateway")));
    }

    @Test
    void aBundleWithoutEnrollmentKeyOnANeverActivatedDeviceIsAClearError() throws IOException {
        Provisioning p = bundle().withoutEnrollmentKey();
        IOException e = assertThrows(IOException.class,
                () -> Activation.ifNeeded(p, state, IdentityKey.loadOrCreate(state), true, SHORT));
        assertTrue(e.getMessage().contains("provision the device again"), e.getMessage());
        assertEquals(List.of(), gateway.requests);
    }

    @Test
    void theIdentityKeyStoreKeyAndMarkerAreOwnerOnly() throws IOException {
        Ed25519.KeyPair identity = IdentityKey.loadOrCreate(state);
        byte[] storeKey = StoreKey.loadOrCreate(state);
        assertArrayEquals(storeKey, StoreKey.loadOrCreate(state), "made once, then loaded");
        Activation.ifNeeded(bundle(), state, identity, true, TIMEOUT);
        assertEquals("rwx------", mode(state));
        assertEquals("rwx------", mode(state.resolve(StoreKey.DIR)));
        assertEquals("rw-------", mode(state.resolve(IdentityKey.FILE)));
        assertEquals("rw-------", mode(state.resolve(StoreKey.FILE)));
        assertEquals("rw-------", mode(state.resolve(Activation.MARKER)));
        assertEquals(32, Files.size(state.resolve(IdentityKey.FILE)));
        assertEquals(16, Files.size(state.resolve(StoreKey.FILE)));
        try (var files = Files.list(state)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
        assertTrue(logLines.list.stream().anyMatch(l -> l.getLevel() == Level.WARN && l.getFormattedMessage().startsWith(
                "key store key is a plain file (") && l.getFormattedMessage().contains("this board offers no sealing")));
        assertNoKeyBytesLogged(identity, enrollment);
    }

    @Test
    void aKeyStoreWhoseKeyIsGoneIsNotSilentlyGivenANewKey() throws IOException {
        SecretFiles.privateDirectory(state);
        Files.write(state.resolve("keys.store"), new byte[100]);
        IOException e = assertThrows(IOException.class, () -> StoreKey.loadOrCreate(state));
        assertTrue(e.getMessage().contains("store.key is missing"), e.getMessage());
        assertFalse(Files.exists(state.resolve(StoreKey.FILE)));
    }

    @Test
    void aDamagedIdentityKeyIsRefusedNotReplaced() throws IOException {
        SecretFiles.privateDirectory(state);
        Files.write(state.resolve(IdentityKey.FILE), new byte[5]);
        IOException e = assertThrows(IOException.class, () -> IdentityKey.loadOrCreate(state));
        assertTrue(e.getMessage().contains("not a 32-byte Ed25519 private key"), e.getMessage());
        assertEquals(5, Files.size(state.resolve(IdentityKey.FILE)));
    }

    private void assertNoKeyBytesLogged(Ed25519.KeyPair... keys) {
        for (ILoggingEvent line : logLines.list) {
            String text = line.getFormattedMessage().toLowerCase();
            for (Ed25519.KeyPair k : keys) {
                byte[] seed = k.privateKeyBytes();
                assertFalse(text.contains(Hex.encode(seed)), text);
                assertFalse(line.getFormattedMessage().contains(Base64.getEncoder().encodeToString(seed)), text);
            }
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
