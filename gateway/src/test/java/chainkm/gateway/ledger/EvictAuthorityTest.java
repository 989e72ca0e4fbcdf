package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.Eviction;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An evict is the owner gateway's (of the member's set) to make alone; any other needs more
 * than two thirds of the consortium. The attacker is gateway 2, signing validly, gathering what
 * signatures it can.
 */
class EvictAuthorityTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    @TempDir
    Path dir;
    private LedgerFixture ledger;
    private TestDevice device;

    @BeforeEach
    void aMemberOfGateway1() throws Exception {
        ledger = new LedgerFixture(dir, 4);
        device = ledger.enrolled(1);
        ledger.commit(ledger.join(device, 100, 1).encode());
        assertEquals(1, (int) ledger.app.readCommitted(s -> s.layout().ownerOf(ledger.member(100).setId())));
    }

    private static byte[] nonce() {
        byte[] n = new byte[ChangeRecord.REFRESH_KEY_SIZE];
        RANDOM.nextBytes(n);
        return n;
    }

    /** Co-signatures of {@code signers} (their own keys) on the evict of {@code node} with {@code nonce}. */
    private byte[] cosigned(int node, byte[] nonce, int... signers) {
        List<Cosignatures.Cosignature> cs = new ArrayList<>();
        for (int g : signers) {
            cs.add(Eviction.cosign(g, ledger.key(g), node, nonce));
        }
        return Cosignatures.extension(cs);
    }

    @Test
    void aGatewayThatDoesNotOwnTheSetCannotEvictAloneOrWithTooFewOrForgedCoSignatures() {
        byte[] n = nonce();
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(100, 2, n, null), "gateway 2 alone");
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(100, 2, n, cosigned(100, n, 3)), "two of four");
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(100, 2, n, cosigned(100, n, 2, 3, 3)),
                "a signer counted twice");
        List<Cosignatures.Cosignature> forged = List.of(Eviction.cosign(3, ledger.key(3), 100, n),
                Eviction.cosign(4, Ed25519.KeyPair.generate(RANDOM), 100, n));
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(100, 2, n, Cosignatures.extension(forged)),
                "a forged co-signature");
        List<Cosignatures.Cosignature> outsider = List.of(Eviction.cosign(3, ledger.key(3), 100, n),
                Eviction.cosign(9, Ed25519.KeyPair.generate(RANDOM), 100, n));
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(100, 2, n, Cosignatures.extension(outsider)),
                "a gateway outside the consortium");
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(100, 2, n, cosigned(100, nonce(), 3, 4)),
                "co-signatures over another nonce");
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(100, 2, n, cosigned(101, n, 3, 4)),
                "co-signatures for another node");
        List<Cosignatures.Cosignature> removal = List.of(GatewayRemoval.cosign(3, ledger.key(3), 100, n),
                GatewayRemoval.cosign(4, ledger.key(4), 100, n));
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(100, 2, n, Cosignatures.extension(removal)),
                "co-signatures of a gateway removal");
        ledger.assertRefused(TxCode.MALFORMED_EXTENSION, ledger.evict(100, 2, n, new byte[] {2, 0, 3}),
                "truncated co-signatures");
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(100, 1, n, cosigned(100, nonce(), 2)),
                "the owner, with a spoiled co-signature list");
        assertEquals(DeviceIdentity.State.ENROLLED, ledger.identity(device.name).state());
    }

    @Test
    void aQuorumEvictsAndTheIdentityIsRevoked() {
        byte[] n = nonce();
        ledger.commit(ledger.evict(100, 2, n, cosigned(100, n, 3, 4)));
        assertTrue(ledger.app.readCommitted(s -> s.member(100)).isEmpty());
        assertEquals(DeviceIdentity.State.REVOKED, ledger.identity(device.name).state());
        // the co-signed nonce is the operation's refresh key, as the ledger logs it
        RefreshEntry e = ledger.app.readCommitted(s -> s.refreshEntriesFrom(s.refreshEntryCount() - 1).get(0));
        assertEquals(Operation.EVICT, e.operation());
        assertArrayEquals(n, e.refreshKey());
        ledger.assertRefused(TxCode.IDENTITY_REVOKED, ledger.join(device, 101, 3).encode(), "the evicted device joins again");
    }

    @Test
    void theOwnerEvictsAloneAndAfterAnAdoptionTheAdopterDoes() {
        TestDevice second = ledger.enrolled(1);
        ledger.commit(ledger.join(second, 200, 1).encode());
        ledger.commit(ledger.evict(100, 1, nonce(), null));
        assertEquals(DeviceIdentity.State.REVOKED, ledger.identity(device.name).state());

        // gateway 1 is removed: its successor (gateway 2) adopts its sets, and evicts alone
        byte[] removalNonce = nonce();
        List<Cosignatures.Cosignature> cs = List.of(GatewayRemoval.cosign(3, ledger.key(3), 1, removalNonce),
                GatewayRemoval.cosign(4, ledger.key(4), 1, removalNonce));
        ledger.commit(LedgerTx.sign(new ChangeRecord(Operation.REMOVE_GATEWAY, 1, 0, new byte[32], removalNonce), 2,
                Cosignatures.extension(cs), ledger.key(2)).encode());
        ledger.assertRefused(TxCode.EVICT_NOT_AUTHORIZED, ledger.evict(200, 3, nonce(), null), "gateway 3 alone");
        ledger.commit(ledger.evict(200, 2, nonce(), null));
        assertEquals(DeviceIdentity.State.REVOKED, ledger.identity(second.name).state());
    }
}
