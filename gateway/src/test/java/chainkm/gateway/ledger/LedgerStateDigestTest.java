package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.sets.Assignment;
import chainkm.protocol.sets.SetMove;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.google.protobuf.ByteString;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.RequestInfo;

/**
 * The state digest as the ledger keeps it: every kind of entry moves it, the incremental digest
 * equals the one computed from scratch after any sequence of changes, the app hash covers it,
 * and a state file whose content no longer matches its digest is refused at load.
 */
class LedgerStateDigestTest {
    @TempDir
    Path dir;

    /** Random but reproducible state changes, applied the way the contracts apply them. */
    private static final class Changes {
        final Random random;
        final LedgerState state;
        int nextNode = 1;
        int nextName = 1;
        long height = 1;

        Changes(long seed, int gateways) {
            random = new Random(seed);
            state = LedgerState.empty();
            TreeMap<Integer, byte[]> keys = new TreeMap<>();
            for (int g = 1; g <= gateways; g++) {
                keys.put(g, bytes(32));
            }
            state.setConsortium(new Consortium(keys));
        }

        byte[] bytes(int n) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            return b;
        }

        int anyGateway() {
            List<Integer> ids = new ArrayList<>(state.consortium().keys().keySet());
            return ids.get(random.nextInt(ids.size()));
        }

        Integer anyMember() {
            List<Integer> ids = new ArrayList<>(state.members().keySet());
            return ids.isEmpty() ? null : ids.get(random.nextInt(ids.size()));
        }

        DeviceIdentity enroll() {
            DeviceIdentity id = new DeviceIdentity("dev-" + nextName++, DeviceIdentity.State.ENROLLED, bytes(32),
                    anyGateway(), height, 0);
            state.putIdentity(id);
            return id;
        }

        void join() {
            int gw = anyGateway();
            int node = nextNode++;
            int set = Assignment.selectSet(state.layout(), gw);
            DeviceIdentity id = enroll();
            state.layoutAdd(node, set, gw);
            state.putIdentity(id.joined(node, height));
            state.addMember(new NodeRecord(node, set, bytes(32), gw, height, gw, id.name()));
            state.appendRefresh(new RefreshEntry(height, 0, Operation.JOIN, node, set, bytes(16), gw, List.of()));
        }

        void leave(int node) {
            NodeRecord m = state.member(node).orElseThrow();
            int owner = state.layout().ownerOf(m.setId());
            state.layoutRemove(node);
            state.removeMember(node);
            List<SetMove> moves = state.layoutReorderAfterLeave(m.setId(), owner);
            moves.forEach(mv -> state.moveMember(mv.nodeId(), mv.toSetId()));
            state.putIdentity(state.identity(m.identity()).orElseThrow().revoked(height));
            state.appendRefresh(new RefreshEntry(height, 0, Operation.LEAVE, node, m.setId(), bytes(16), owner, moves));
        }

        void rejoin(int node) {
            state.replaceMember(state.member(node).orElseThrow().rejoined(bytes(32), anyGateway()));
        }

        void activate() {
            List<DeviceIdentity> enrolled = state.identities().values().stream()
                    .filter(i -> i.state() == DeviceIdentity.State.ENROLLED).toList();
            if (!enrolled.isEmpty()) {
                state.putIdentity(enrolled.get(random.nextInt(enrolled.size())).activated(bytes(32), height));
            }
        }

        void removeGateway() {
            int gone = anyGateway();
            int successor = state.consortium().successorOf(gone);
            state.setConsortium(state.consortium().without(gone));
            state.addRemoval(new RemovalEntry(height, 0, bytes(100)));
            state.layoutTransfer(gone, successor);
        }

        /** One random change; ends a block now and then (the log's entries join the shared log). */
        void step() {
            int pick = random.nextInt(100);
            Integer member = anyMember();
            if (pick < 55 || member == null) {
                join();
            } else if (pick < 75) {
                leave(member);
            } else if (pick < 82) {
                rejoin(member);
            } else if (pick < 90) {
                activate();
            } else if (pick < 97) {
                enroll();
            } else if (state.consortium().size() > 2) {
                removeGateway();
            }
            if (random.nextInt(4) == 0) {
                state.finishBlock(height++, new byte[32], true);
                state.markCommitted();
            }
        }
    }

    @Test
    void theIncrementalDigestEqualsTheOneComputedFromScratchAfterRandomChanges() {
        for (long seed = 1; seed <= 4; seed++) {
            Changes c = new Changes(seed, 5);
            LedgerState state = c.state;
            for (int i = 0; i < 250; i++) {
                byte[] before = state.stateDigest();
                c.step();
                assertArrayEquals(state.digestFromScratch(), state.stateDigest(), "seed " + seed + ", step " + i);
                if (Arrays.equals(before, state.stateDigest())) {
                    // only an activate with no enrolled identity or a refused removal changes nothing
                    assertTrue(state.identities().values().stream()
                            .noneMatch(id -> id.state() == DeviceIdentity.State.ENROLLED)
                            || state.consortium().size() <= 2, "seed " + seed + ", step " + i + " changed nothing");
                }
            }
            assertTrue(state.members().size() > 20, "the sequence built a real state: " + state.members().size());
            assertTrue(state.removals().size() > 0 || seed != 1, "seed 1 removes a gateway");
            // and what was saved reads back with the same digest (decode recomputes and compares it)
            state.markCommitted();
            assertArrayEquals(state.stateDigest(), LedgerState.decode(state.encode()).stateDigest());
        }
    }

    @Test
    void aCopyKeepsItsOwnDigest() {
        Changes c = new Changes(7, 3);
        for (int i = 0; i < 20; i++) {
            c.join();
        }
        c.state.markCommitted();
        byte[] committed = c.state.stateDigest();
        LedgerState copy = c.state.copy();
        copy.replaceMember(copy.member(1).orElseThrow().rejoined(new byte[32], 2));
        copy.removeMember(2);
        assertArrayEquals(committed, c.state.stateDigest());
        assertArrayEquals(copy.digestFromScratch(), copy.stateDigest());
    }

    /** A state with a bit of everything, to change one entry of each kind in. */
    private static Changes populated() {
        Changes c = new Changes(11, 4);
        for (int i = 0; i < 12; i++) {
            c.join();
        }
        c.enroll();
        c.state.finishBlock(1, new byte[32], true);
        c.state.markCommitted();
        return c;
    }

    @Test
    void everyKindOfEntryMovesTheDigest() {
        Map<String, Consumer<Changes>> changes = new TreeMap<>();
        changes.put("consortium", c -> c.state.setConsortium(c.state.consortium().without(4)));
        changes.put("member anchor", c -> c.state.replaceMember(c.state.member(3).orElseThrow().rejoined(
                c.state.member(3).orElseThrow().secretCodeHash(), 2)));
        changes.put("member set", c -> c.state.moveMember(5, 99));
        changes.put("member removed", c -> c.state.removeMember(6));
        changes.put("layout place", c -> c.state.layoutRemove(7));
        changes.put("layout owner", c -> c.state.layoutTransfer(1, 2));
        changes.put("identity key", c -> c.state.putIdentity(c.state.identities().values().iterator().next()
                .activated(c.bytes(32), 1)));
        changes.put("identity state", c -> c.state.putIdentity(c.state.identities().values().iterator().next()
                .revoked(1)));
        changes.put("used node id and commitment", c -> c.state.addMember(new NodeRecord(500, 1, c.bytes(32), 1, 1, 1,
                "dev-1")));
        changes.put("operation", c -> c.state.appendRefresh(new RefreshEntry(2, 0, Operation.JOIN, 1, 1,
                new byte[16], 1, List.of())));
        changes.put("removal", c -> c.state.addRemoval(new RemovalEntry(2, 0, new byte[1])));
        for (Map.Entry<String, Consumer<Changes>> e : changes.entrySet()) {
            Changes c = populated();
            byte[] before = c.state.stateDigest();
            e.getValue().accept(c);
            assertFalse(Arrays.equals(before, c.state.stateDigest()), e.getKey() + " left the digest as it was");
            assertArrayEquals(c.state.digestFromScratch(), c.state.stateDigest(), e.getKey());
        }
    }

    @Test
    void theAppHashCoversTheStateAndNotOnlyTheBlock() {
        Changes honest = populated();
        LedgerState tampered = LedgerState.decode(honest.state.encode());
        tampered.replaceMember(tampered.member(3).orElseThrow().rejoined(new byte[32], 1));
        LedgerState untouched = honest.state.copy();
        byte[] results = Sha256.hash(new byte[] {1});
        untouched.finishBlock(2, results, true);
        tampered.finishBlock(2, results, true);
        assertFalse(Arrays.equals(untouched.appHash(), tampered.appHash()),
                "same block, same previous app hash, different state: different app hash");
        LedgerState empty = honest.state.copy();
        empty.finishBlock(2, results, false);
        assertArrayEquals(honest.state.appHash(), empty.appHash(), "an empty block changes no app hash");
    }

    // --- the state file --------------------------------------------------------------------

    /** A ledger with members and identities, committed through the contracts, saved in {@link #dir}. */
    private LedgerFixture savedLedger() throws Exception {
        LedgerFixture ledger = new LedgerFixture(dir, 2);
        for (int i = 0; i < 3; i++) {
            TestDevice d = ledger.enrolled(1 + i % 2);
            ledger.commit(ledger.join(d, 10 + i, 1 + i % 2).encode());
        }
        return ledger;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found in the state file: " + Hex.encode(needle));
    }

    /** Replaces the trailing checksum, as an editor that knows the format would. */
    private static byte[] withChecksum(byte[] file) {
        byte[] body = Arrays.copyOf(file, file.length - Sha256.SIZE);
        byte[] out = Arrays.copyOf(body, file.length);
        System.arraycopy(Sha256.hash(body), 0, out, body.length, Sha256.SIZE);
        return out;
    }

    @Test
    void aByteFlippedInsideAnEntryIsRefusedAtLoadNamingTheFile() throws Exception {
        LedgerFixture ledger = savedLedger();
        StateStore store = new StateStore(dir);
        byte[] file = Files.readAllBytes(store.file());
        byte[] anchor = ledger.member(11).secretCodeHash();
        int at = indexOf(file, anchor);
        // a naive edit: the checksum at the end no longer matches
        byte[] naive = file.clone();
        naive[at + 5] ^= 0x01;
        Files.write(store.file(), naive);
        IOException e = assertThrows(IOException.class, store::load);
        assertTrue(e.getMessage().startsWith("state file " + store.file() + " is corrupt:"), e.getMessage());
        assertThrows(IOException.class, () -> new LedgerApp(store), "the ledger (and so the gateway) does not start");
        // an edit that fixes the checksum: the digest saved in the file no longer matches
        Files.write(store.file(), withChecksum(naive));
        e = assertThrows(IOException.class, store::load);
        assertEquals("state file " + store.file() + " is corrupt: its content does not match its digest; restore it "
                + "or resync this node", e.getMessage());
        assertThrows(IOException.class, () -> new LedgerApp(store));
        // the untouched file still loads
        Files.write(store.file(), file);
        assertEquals(ledger.app.info(RequestInfo.getDefaultInstance()), new LedgerApp(store).info(
                RequestInfo.getDefaultInstance()));
    }

    @Test
    void anIdentityKeySwappedInTheFileIsRefusedAtLoad() throws Exception {
        LedgerFixture ledger = savedLedger();
        StateStore store = new StateStore(dir);
        byte[] file = Files.readAllBytes(store.file());
        byte[] key = ledger.app.readCommitted(s -> s.identities().values().iterator().next().key());
        byte[] edited = file.clone();
        int at = indexOf(edited, key); // the identity record comes before the key-owner index
        edited[at] ^= 0x40;
        Files.write(store.file(), withChecksum(edited));
        IOException e = assertThrows(IOException.class, store::load);
        assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
    }

    @Test
    void aFormat3FileIsRefusedWithAReason() throws Exception {
        byte[] body = java.nio.ByteBuffer.allocate(16).putInt(0x434B4D4C).putInt(3).putLong(42).array();
        StateStore store = new StateStore(dir);
        Files.write(store.file(), withChecksum(Arrays.copyOf(body, body.length + Sha256.SIZE)));
        IOException e = assertThrows(IOException.class, store::load);
        assertTrue(e.getMessage().contains("format 3 predates the state digest"), e.getMessage());
        assertTrue(e.getMessage().contains("start a new chain"), e.getMessage());
    }

    @Test
    void aConsistentlyRewrittenStateLoadsButItsNextAppHashDiffers() throws Exception {
        LedgerFixture ledger = savedLedger();
        StateStore store = new StateStore(dir);
        LedgerState tampered = store.load();
        // the editor re-encodes: checksum and digest now match the altered content
        NodeRecord m = tampered.member(10).orElseThrow();
        tampered.replaceMember(m.rejoined(new byte[ChangeRecord.HASH_SIZE], m.attachedGateway()));
        Path other = dir.resolve("tampered");
        new StateStore(other).save(tampered);
        LedgerApp corrupted = new LedgerApp(new StateStore(other));
        assertEquals(ledger.app.info(RequestInfo.getDefaultInstance()), corrupted.info(RequestInfo.getDefaultInstance()),
                "same height and app hash at the handshake: CometBFT cannot tell yet");
        assertTrue(ledger.query("/status", "").contains("\"state_digest\":\""
                + Hex.encode(ledger.app.readCommitted(LedgerState::stateDigest)).toUpperCase() + "\""));
        assertNotEquals(ledger.query("/status", ""), corrupted.query(tendermint.abci.Types.RequestQuery.newBuilder()
                .setPath("/status").build()).getValue().toStringUtf8(), "the status shows the states differ");
        // the next block with a transaction: an honest copy agrees, the corrupted one does not
        LedgerApp honestCopy = new LedgerApp(store);
        byte[] enroll = new TestDevice().enroll(2, ledger.key(2));
        RequestFinalizeBlock block = RequestFinalizeBlock.newBuilder()
                .setHeight(ledger.app.readCommitted(LedgerState::height) + 1).addTxs(ByteString.copyFrom(enroll)).build();
        ResponseFinalizeBlock honest = ledger.app.finalizeBlock(block);
        ResponseFinalizeBlock copied = honestCopy.finalizeBlock(block);
        ResponseFinalizeBlock bad = corrupted.finalizeBlock(block);
        assertEquals(0, honest.getTxResults(0).getCode());
        assertEquals(0, bad.getTxResults(0).getCode(), "the block itself runs the same on the corrupted state");
        assertEquals(honest.getAppHash(), copied.getAppHash());
        assertNotEquals(honest.getAppHash(), bad.getAppHash(), "the corrupted validator's app hash differs");
    }
}
