package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RejoinChain;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REJOIN contract after issue 12: a window of 64 skipped links, and a re-anchor (a REJOIN
 * whose extension is the identity's signature over name, node id and new anchor) for a chain
 * out of that window. Every attack is refused with its code and changes nothing.
 */
class ReanchorContractTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    @TempDir
    Path dir;
    private LedgerFixture ledger;
    private TestDevice device;
    private byte[] seed;
    private int set;

    @BeforeEach
    void aMemberWithARejoinChain() throws Exception {
        ledger = new LedgerFixture(dir, 3);
        device = ledger.enrolled(1);
        ledger.commit(device.activate(Ed25519.KeyPair.generate(RANDOM), 1, ledger.key(1)));
        seed = RejoinChain.newSeed(RANDOM);
        device.commitment = RejoinChain.anchor(seed);
        LedgerTx join = ledger.join(device, 7, 1);
        ledger.commit(join.encode());
        set = join.record().setId();
    }

    private LedgerTx rejoin(byte[] link, int gw) {
        return LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 7, set, link, TestDevice.refreshKey()), gw, null,
                ledger.key(gw));
    }

    private LedgerTx reanchor(byte[] anchor, DeviceAuthorization auth, int gw) {
        return LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 7, set, anchor, TestDevice.refreshKey()), gw,
                auth.encode(), ledger.key(gw));
    }

    @Test
    void aLinkSixtyFourBelowTheAnchorIsAcceptedOneFurtherIsNot() {
        ledger.assertRefused(TxCode.BAD_REJOIN_PROOF, rejoin(RejoinChain.proof(seed, 65), 2).encode(), "link 65");
        ledger.commit(rejoin(RejoinChain.proof(seed, 64), 2).encode());
        assertEquals(2, ledger.member(7).attachedGateway());
        assertArrayEquals(RejoinChain.proof(seed, 64), ledger.member(7).secretCodeHash());
    }

    @Test
    void aDeviceOutOfWindowReanchorsWithItsIdentityKeyAndRejoinsOnItsNewChain() {
        byte[] seed2 = RejoinChain.newSeed(RANDOM);
        byte[] anchor2 = RejoinChain.anchor(seed2);
        ledger.commit(reanchor(anchor2, DeviceAuthorization.forReanchor(device.name, 7, anchor2, device.key), 3).encode());
        assertArrayEquals(anchor2, ledger.member(7).secretCodeHash());
        assertEquals(3, ledger.member(7).attachedGateway());
        // the new chain works; the old one no longer does
        ledger.assertRefused(TxCode.BAD_REJOIN_PROOF, rejoin(RejoinChain.proof(seed, 1), 2).encode(), "the old chain");
        ledger.commit(rejoin(RejoinChain.proof(seed2, 3), 2).encode());
        assertEquals(2, ledger.member(7).attachedGateway());
    }

    @Test
    void reanchorsNotSignedByTheMembersIdentityKeyAreRefused() {
        byte[] anchor2 = RejoinChain.anchor(RejoinChain.newSeed(RANDOM));
        Ed25519.KeyPair other = Ed25519.KeyPair.generate(RANDOM);
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE,
                reanchor(anchor2, DeviceAuthorization.forReanchor(device.name, 7, anchor2, other), 2).encode(),
                "a re-anchor signed by another key");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE,
                reanchor(anchor2, DeviceAuthorization.forReanchor(device.name, 7, anchor2, device.enrollmentKey), 2)
                        .encode(), "a re-anchor signed by its spent enrollment key");
        byte[] anchor3 = RejoinChain.anchor(RejoinChain.newSeed(RANDOM));
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE,
                reanchor(anchor3, DeviceAuthorization.forReanchor(device.name, 7, anchor2, device.key), 2).encode(),
                "its signature over another anchor");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE,
                reanchor(anchor2, DeviceAuthorization.forReanchor(device.name, 8, anchor2, device.key), 2).encode(),
                "its signature for another node");
        TestDevice other2 = ledger.enrolled(2);
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE,
                reanchor(anchor2, DeviceAuthorization.forReanchor(other2.name, 7, anchor2, other2.key), 2).encode(),
                "another identity, signing as itself");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE,
                reanchor(anchor2, DeviceAuthorization.forLeave(device.name, 7, device.key), 2).encode(),
                "its leave signature");
    }

    @Test
    void aRecordedReanchorCannotPutTheChainBack() {
        byte[] seed2 = RejoinChain.newSeed(RANDOM);
        byte[] anchor2 = RejoinChain.anchor(seed2);
        LedgerTx first = reanchor(anchor2, DeviceAuthorization.forReanchor(device.name, 7, anchor2, device.key), 2);
        ledger.commit(first.encode());
        ledger.commit(rejoin(RejoinChain.proof(seed2, 1), 3).encode()); // link 1 of the new chain is now public
        ledger.assertRefused(TxCode.SECRET_HASH_REUSED,
                reanchor(anchor2, DeviceAuthorization.forReanchor(device.name, 7, anchor2, device.key), 1).encode(),
                "the recorded re-anchor, resubmitted by another gateway");
        ledger.assertRefused(TxCode.SECRET_HASH_REUSED,
                reanchor(device.commitment, DeviceAuthorization.forReanchor(device.name, 7, device.commitment, device.key),
                        1).encode(), "a re-anchor to its join commitment");
    }
}
