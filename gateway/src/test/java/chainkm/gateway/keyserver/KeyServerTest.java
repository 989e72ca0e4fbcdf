package chainkm.gateway.keyserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.keyserver.KeyServerAnswer.Outcome;
import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.ForwardedAccess;
import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key server's flow between two gateways on stand-in ledgers: the home gateway answers from
 * its group secrets, another gateway checks first and forwards, the home checks again at the
 * forwarder's height, and an unreachable or behind home gateway is 5.03.
 */
class KeyServerTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int HOME = 1;
    private static final int OTHER = 3;

    @TempDir
    Path dir;

    private final byte[] alice = Ed25519.KeyPair.generate(RANDOM).publicKey();
    private final byte[] bob = Ed25519.KeyPair.generate(RANDOM).publicKey();
    private final byte[] cti = new byte[16];
    private final FakeTokenLedger homeLedger = new FakeTokenLedger(120);
    private final FakeTokenLedger otherLedger = new FakeTokenLedger(120);
    private final List<ForwardedAccess> forwards = new ArrayList<>();
    private KeyServer home;
    private KeyServer other;
    private volatile boolean homeDown;

    @BeforeEach
    void twoGateways() throws IOException {
        RANDOM.nextBytes(cti);
        AccessToken token = new AccessToken("lamp-1", Aif.of("/light", Aif.GET | Aif.PUT), 150, 100, cti, alice);
        for (FakeTokenLedger l : List.of(homeLedger, otherLedger)) {
            l.grant(token);
            l.homes.put("lamp-1", HOME);
        }
        home = new KeyServer(HOME, homeLedger, new DerivedMemberSecrets(new GroupSecretStore(dir.resolve("home"))),
                (g, f) -> {
                    throw new IOException("the home gateway never forwards");
                });
        other = new KeyServer(OTHER, otherLedger, new DerivedMemberSecrets(new GroupSecretStore(dir.resolve("other"))),
                (g, f) -> {
                    assertEquals(HOME, g);
                    forwards.add(f);
                    if (homeDown) {
                        throw new IOException("gateway at 127.0.0.1:5684 did not answer POST /relay/access within 5000 ms");
                    }
                    return home.forwarded(f, OTHER);
                });
    }

    private AccessRequest request(long methods) {
        return new AccessRequest(cti, "lamp-1", "/light", methods);
    }

    @Test
    void theHomeGatewayGrantsThePersonalSecretWithExpAndBlocksLeft() {
        KeyServerAnswer a = home.access(request(Aif.GET), alice);
        assertTrue(a.isGranted(), a.toString());
        AccessGrant g = a.grant();
        assertEquals("lamp-1/light", g.group());
        assertEquals(0, g.num());
        assertEquals(150, g.exp());
        assertEquals(150 - 121, g.exi(), "blocks from the next one (121) to the last live one (149)");
        assertArrayEquals(g.key(), home.access(request(Aif.PUT), alice).grant().key(), "the same token, the same secret");
        assertEquals(List.of(), forwards);
    }

    @Test
    void anotherGatewayForwardsWithTheKeyAndHeightAndPassesTheSameGrantThrough() {
        KeyServerAnswer direct = home.access(request(Aif.GET), alice);
        KeyServerAnswer forwarded = other.access(request(Aif.GET), alice);
        assertTrue(forwarded.isGranted(), forwarded.toString());
        assertEquals(direct.grant(), forwarded.grant(), "the home gateway's material, whoever asks");
        assertEquals(1, forwards.size());
        assertArrayEquals(alice, forwards.get(0).client());
        assertEquals(120, forwards.get(0).height());
    }

    @Test
    void theForwardingGatewayRefusesEarlyAndNeverForwardsARefusal() {
        assertEquals(Outcome.UNAUTHORIZED, other.access(request(Aif.GET), bob).outcome());
        assertEquals(Outcome.FORBIDDEN, other.access(request(Aif.DELETE), alice).outcome());
        assertEquals(List.of(), forwards);
    }

    @Test
    void theHomeGatewayChecksAgainAndItsRefusalIsPassedThrough() {
        // the token was deleted in a block the home gateway has committed and the other not yet
        homeLedger.height = 121;
        homeLedger.revoke(cti, 121);
        KeyServerAnswer a = other.access(request(Aif.GET), alice);
        assertEquals(Outcome.UNAUTHORIZED, a.outcome());
        assertEquals("token revoked at height 121", a.diagnostic());
        assertEquals(1, forwards.size());
    }

    @Test
    void aHomeGatewayBehindTheForwarderWaitsForItsHeightThenAnswers() throws Exception {
        homeLedger.height = 119;
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            homeLedger.height = 120;
        });
        later.start();
        KeyServerAnswer a = other.access(request(Aif.GET), alice);
        later.join();
        assertTrue(a.isGranted(), a.toString());
    }

    @Test
    void aHomeGatewayThatStaysBehindIsUnavailable() {
        homeLedger.height = 100;
        KeyServerAnswer a = other.access(request(Aif.GET), alice);
        assertEquals(Outcome.UNAVAILABLE, a.outcome());
        assertEquals("home gateway 1 is at height 100, behind gateway 3's 120", a.diagnostic());
    }

    @Test
    void anUnreachableHomeGatewayIsUnavailableWithTheReason() {
        homeDown = true;
        KeyServerAnswer a = other.access(request(Aif.GET), alice);
        assertEquals(Outcome.UNAVAILABLE, a.outcome());
        assertTrue(a.diagnostic().startsWith("home gateway 1 of device lamp-1 unreachable: "), a.diagnostic());
    }

    @Test
    void aGatewayThatIsNotTheHomeOnItsLedgerRefusesAForward() {
        homeLedger.homes.put("lamp-1", 2);
        KeyServerAnswer a = home.forwarded(new ForwardedAccess(request(Aif.GET), alice, 120), OTHER);
        assertEquals(Outcome.UNAVAILABLE, a.outcome());
        assertEquals("the ledger makes gateway 2 the home of device lamp-1, not gateway 1", a.diagnostic());
    }

    @Test
    void aDeviceTheLedgerDoesNotKnowHasNoKeyServer() {
        otherLedger.homes.remove("lamp-1");
        KeyServerAnswer a = other.access(request(Aif.GET), alice);
        assertEquals(Outcome.NOT_FOUND, a.outcome());
        assertEquals(List.of(), forwards);
    }

    @Test
    void aForwardClaimingAnotherKeyIsRefusedByTheHome() {
        KeyServerAnswer a = home.forwarded(new ForwardedAccess(request(Aif.GET), bob, 120), OTHER);
        assertEquals(Outcome.UNAUTHORIZED, a.outcome());
        assertEquals("token bound to another key", a.diagnostic());
    }
}
