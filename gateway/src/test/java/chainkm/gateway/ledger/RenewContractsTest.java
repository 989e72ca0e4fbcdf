package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.GatewayConfig;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RENEW is the owner's, of a set that exists, at most once per {@link RenewContracts#MIN_BLOCKS_BETWEEN}
 * blocks: the attacker is gateway 2 (valid signature, not the owner), or an owner renewing in a loop.
 */
class RenewContractsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    @TempDir
    Path dir;
    private LedgerFixture ledger;
    private int set;

    @BeforeEach
    void aSetOfGateway1() throws Exception {
        ledger = new LedgerFixture(dir, 4);
        TestDevice d = ledger.enrolled(1);
        ledger.commit(ledger.join(d, 100, 1).encode());
        set = ledger.member(100).setId();
    }

    private byte[] renew(int setId, int gw) {
        return renew(new ChangeRecord(Operation.RENEW, 0, setId, new byte[ChangeRecord.HASH_SIZE], refresh()), gw, null);
    }

    private byte[] renew(ChangeRecord r, int gw, byte[] extension) {
        return LedgerTx.sign(r, gw, extension, ledger.key(gw)).encode();
    }

    private static byte[] refresh() {
        byte[] r = new byte[ChangeRecord.REFRESH_KEY_SIZE];
        RANDOM.nextBytes(r);
        return r;
    }

    private void emptyBlocks(int n) {
        for (int i = 0; i < n; i++) {
            ledger.block();
        }
    }

    @Test
    void theOwnerRenewsItsSetAndTheLedgerRecordsAKeyOperation() {
        int before = ledger.app.readCommitted(LedgerState::refreshEntryCount);
        ledger.commit(renew(set, 1));
        List<RefreshEntry> log = ledger.app.readCommitted(s -> s.refreshEntriesFrom(before));
        assertEquals(1, log.size());
        assertEquals(Operation.RENEW, log.get(0).operation());
        assertEquals(set, log.get(0).setId());
        assertEquals(1, log.get(0).gatewayId());
        assertEquals(100, (int) ledger.app.readCommitted(s -> s.member(100).orElseThrow().nodeId()), "members unchanged");
    }

    @Test
    void anotherGatewayCannotRenewTheSet() {
        ledger.assertRefused(TxCode.RENEW_NOT_OWNER, renew(set, 2), "a RENEW by gateway 2 of gateway 1's set");
    }

    @Test
    void aSetThatDoesNotExistIsRefused() {
        ledger.assertRefused(TxCode.UNKNOWN_SET, renew(set + 1000, 1), "a RENEW of an unknown set");
    }

    @Test
    void aRenewalNamesOnlyItsSet() {
        ledger.assertRefused(TxCode.MALFORMED_EXTENSION,
                renew(new ChangeRecord(Operation.RENEW, 100, set, new byte[ChangeRecord.HASH_SIZE], refresh()), 1, null),
                "a RENEW naming a node");
        ledger.assertRefused(TxCode.MALFORMED_EXTENSION, renew(new ChangeRecord(Operation.RENEW, 0, set,
                ledger.member(100).secretCodeHash(), refresh()), 1, null), "a RENEW with a hash");
        ledger.assertRefused(TxCode.MALFORMED_EXTENSION, renew(new ChangeRecord(Operation.RENEW, 0, set,
                new byte[ChangeRecord.HASH_SIZE], refresh()), 1, new byte[] {1}), "a RENEW with an extension");
    }

    @Test
    void aSetIsRenewedAtMostOncePerWindow() {
        ledger.commit(renew(set, 1));
        long renewedAt = ledger.app.readCommitted(LedgerState::height);
        ledger.assertRefused(TxCode.RENEW_TOO_SOON, renew(set, 1), "a second RENEW at once");
        // the refused block above counts as one; fill the window up to its last block
        long last = renewedAt + RenewContracts.MIN_BLOCKS_BETWEEN - 1;
        emptyBlocks((int) (last - 1 - ledger.app.readCommitted(LedgerState::height)));
        ledger.assertRefused(TxCode.RENEW_TOO_SOON, renew(set, 1), "a RENEW in the window's last block");
        assertEquals(last, (long) ledger.app.readCommitted(LedgerState::height));
        ledger.commit(renew(set, 1)); // the first block after the window
    }

    @Test
    void twoRenewalsOfOneSetInOneBlockAreNotBothAccepted() {
        var r = ledger.block(renew(set, 1), renew(set, 1));
        assertEquals(0, r.getTxResults(0).getCode());
        assertEquals(TxCode.RENEW_TOO_SOON.code(), r.getTxResults(1).getCode());
    }

    @Test
    void theGatewaysScheduleCannotBeShorterThanTheLedgersWindow() {
        assertEquals(RenewContracts.MIN_BLOCKS_BETWEEN, GatewayConfig.MIN_RENEW_AFTER_BLOCKS);
        assertTrue(TxCode.RENEW_TOO_SOON.description().contains(Integer.toString(RenewContracts.MIN_BLOCKS_BETWEEN)));
    }
}
