package chainkm.gateway.ledger;

import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.sets.SetLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated state of the key-management ledger (layer 2): the consortium, the set
 * layout, the members, the device identities, every node id and (identity-scoped) commitment
 * ever used, the log of accepted operations with their refresh keys, and the committed gateway
 * removals. Only sorted collections: nothing here
 * depends on hash-map iteration order, so every validator encodes the same bytes.
 *
 * <p>Not thread-safe: {@link LedgerApp} owns instances and guards them.
 */
public final class LedgerState {
    private static final int MAGIC = 0x434B4D4C; // "CKML"
    /**
     * 3: device identities and the committed gateway removals (issue 11). Format 2 is refused: its
     * members joined without a device's authority.
     */
    private static final int FORMAT = 3;

    private Consortium consortium;
    private long height;
    private byte[] appHash;
    private final SetLayout layout;
    private final TreeMap<Integer, NodeRecord> members;
    private final TreeSet<Integer> usedNodeIds;
    /** {@link IdentityRegistry#scopedCommitment} of every join ever accepted. */
    private final TreeSet<byte[]> usedCommitments;
    private final IdentityRegistry identities;
    /**
     * The committed log is shared by every copy (copying it per block would cost the whole
     * history); a copy reads only its first {@code sharedLength} entries and keeps what it
     * adds in {@code ownEntries} until it becomes the committed state.
     */
    private final List<RefreshEntry> sharedLog;
    private int sharedLength;
    private final List<RefreshEntry> ownEntries = new ArrayList<>();
    /** Few (a consortium loses a gateway rarely): copied with the state. */
    private final List<RemovalEntry> removals;

    private LedgerState(Consortium consortium, long height, byte[] appHash, SetLayout layout,
                        TreeMap<Integer, NodeRecord> members, TreeSet<Integer> usedNodeIds,
                        TreeSet<byte[]> usedCommitments, IdentityRegistry identities, List<RefreshEntry> sharedLog,
                        int sharedLength, List<RemovalEntry> removals) {
        this.consortium = consortium;
        this.height = height;
        this.appHash = appHash;
        this.layout = layout;
        this.members = members;
        this.usedNodeIds = usedNodeIds;
        this.usedCommitments = usedCommitments;
        this.identities = identities;
        this.sharedLog = sharedLog;
        this.sharedLength = sharedLength;
        this.removals = removals;
    }

    /** The state before InitChain: no consortium yet, height 0. */
    public static LedgerState empty() {
        return new LedgerState(new Consortium(Collections.emptyMap()), 0, new byte[0], new SetLayout(),
                new TreeMap<>(), new TreeSet<>(), new TreeSet<>(Arrays::compareUnsigned), IdentityRegistry.empty(),
                new ArrayList<>(), 0, new ArrayList<>());
    }

    /** A working copy for CheckTx, proposals or block execution; only the committed state may be copied. */
    public LedgerState copy() {
        if (!ownEntries.isEmpty()) {
            throw new IllegalStateException("copy of an uncommitted working state");
        }
        TreeSet<byte[]> commitments = new TreeSet<>(Arrays::compareUnsigned);
        commitments.addAll(usedCommitments);
        return new LedgerState(consortium, height, appHash, layout.copy(), new TreeMap<>(members),
                new TreeSet<>(usedNodeIds), commitments, identities.copy(), sharedLog, sharedLength,
                new ArrayList<>(removals));
    }

    // --- reads -------------------------------------------------------------------------

    public Consortium consortium() {
        return consortium;
    }

    public long height() {
        return height;
    }

    public byte[] appHash() {
        return appHash.clone();
    }

    /** Read-only use only: callers that want to plan on it take {@code layout().copy()}. */
    public SetLayout layout() {
        return layout;
    }

    public Optional<NodeRecord> member(int nodeId) {
        return Optional.ofNullable(members.get(nodeId));
    }

    public SortedMap<Integer, NodeRecord> members() {
        return Collections.unmodifiableSortedMap(members);
    }

    public boolean nodeIdUsed(int nodeId) {
        return usedNodeIds.contains(nodeId);
    }

    /** True when a join of identity {@code name} with this commitment was ever accepted. */
    public boolean commitmentUsed(String name, byte[] commitment) {
        return usedCommitments.contains(IdentityRegistry.scopedCommitment(name, commitment));
    }

    public Optional<DeviceIdentity> identity(String name) {
        return identities.get(name);
    }

    /**
     * The identity whose current key is {@code key} (for the DTLS layer: a raw public key maps to
     * at most one identity; a key that identity held before, e.g. its enrollment key once it
     * activated, maps to none). A revoked identity is returned as such: the caller refuses it.
     */
    public Optional<DeviceIdentity> identityByKey(byte[] key) {
        return identities.byKey(key);
    }

    /** The name of the identity that holds or ever held {@code key}. */
    public Optional<String> keyOwner(byte[] key) {
        return identities.keyOwner(key);
    }

    public SortedMap<String, DeviceIdentity> identities() {
        return identities.all();
    }

    /** Accepted operations with heights in [from, to], in ledger order. */
    public List<RefreshEntry> refreshEntries(long from, long to) {
        List<RefreshEntry> out = new ArrayList<>();
        for (int i = firstIndexAtOrAfter(from); i < sharedLength; i++) {
            RefreshEntry e = sharedLog.get(i);
            if (e.height() > to) {
                return out;
            }
            out.add(e);
        }
        for (RefreshEntry e : ownEntries) {
            if (e.height() >= from && e.height() <= to) {
                out.add(e);
            }
        }
        return out;
    }

    /** Accepted operations from position {@code index} (0-based, in ledger order) to the end. */
    public List<RefreshEntry> refreshEntriesFrom(int index) {
        List<RefreshEntry> out = new ArrayList<>();
        for (int i = Math.max(0, index); i < sharedLength; i++) {
            out.add(sharedLog.get(i));
        }
        for (int i = Math.max(0, index - sharedLength); i < ownEntries.size(); i++) {
            out.add(ownEntries.get(i));
        }
        return out;
    }

    /** Every committed gateway removal, in ledger order. */
    public List<RemovalEntry> removals() {
        return Collections.unmodifiableList(removals);
    }

    public int refreshEntryCount() {
        return sharedLength + ownEntries.size();
    }

    private int firstIndexAtOrAfter(long height) {
        int lo = 0;
        int hi = sharedLength;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sharedLog.get(mid).height() < height) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    // --- writes (contracts and the ABCI app only) --------------------------------------

    void setConsortium(Consortium consortium) {
        this.consortium = consortium;
    }

    void addMember(NodeRecord record) {
        members.put(record.nodeId(), record);
        usedNodeIds.add(record.nodeId());
        usedCommitments.add(IdentityRegistry.scopedCommitment(record.identity(), record.secretCodeHash()));
    }

    void putIdentity(DeviceIdentity identity) {
        identities.put(identity);
    }

    void removeMember(int nodeId) {
        members.remove(nodeId);
    }

    void replaceMember(NodeRecord record) {
        members.put(record.nodeId(), record);
    }

    void moveMember(int nodeId, int toSetId) {
        members.computeIfPresent(nodeId, (id, r) -> r.inSet(toSetId));
    }

    SetLayout mutableLayout() {
        return layout;
    }

    void appendRefresh(RefreshEntry entry) {
        ownEntries.add(entry);
    }

    void addRemoval(RemovalEntry removal) {
        removals.add(removal);
    }

    /**
     * Ends a block: records the height and chains the app hash. A block without
     * transactions leaves the app hash unchanged, so CometBFT with create_empty_blocks=false
     * does not need endless proof blocks.
     */
    void finishBlock(long newHeight, byte[] resultsDigest, boolean hadTxs) {
        if (hadTxs) {
            StateWriter w = new StateWriter();
            w.put(appHash);
            w.putLong(newHeight);
            w.put(resultsDigest);
            w.putInt(members.size());
            w.putInt(layout.setCount());
            w.putInt(layout.nextSetId());
            w.putInt(refreshEntryCount());
            w.putInt(identities.size());
            appHash = Sha256.hash(w.toByteArray());
        }
        height = newHeight;
    }

    void setGenesisHash(byte[] hash) {
        appHash = hash.clone();
    }

    /**
     * Makes this working state the committed one: its entries join the shared log. Older
     * copies keep reading only up to their own length, so they are unaffected.
     */
    void markCommitted() {
        if (sharedLength != sharedLog.size()) {
            throw new IllegalStateException("another state was committed since this one was copied");
        }
        sharedLog.addAll(ownEntries);
        ownEntries.clear();
        sharedLength = sharedLog.size();
    }

    // --- persistence -------------------------------------------------------------------

    public byte[] encode() {
        StateWriter out = new StateWriter();
        out.putInt(MAGIC);
        out.putInt(FORMAT);
        out.putLong(height);
        out.putBlob(appHash);
        consortium.encodeTo(out);
        out.putBlob(layout.encode());
        out.putInt(members.size());
        members.values().forEach(r -> r.encodeTo(out));
        out.putInt(usedNodeIds.size());
        usedNodeIds.forEach(out::putInt);
        out.putInt(usedCommitments.size());
        usedCommitments.forEach(out::put);
        identities.encodeTo(out);
        out.putInt(refreshEntryCount());
        sharedLog.subList(0, sharedLength).forEach(e -> e.encodeTo(out));
        ownEntries.forEach(e -> e.encodeTo(out));
        out.putInt(removals.size());
        removals.forEach(r -> r.encodeTo(out));
        byte[] body = out.toByteArray();
        StateWriter framed = new StateWriter();
        framed.put(body);
        framed.put(Sha256.hash(body));
        return framed.toByteArray();
    }

    public static LedgerState decode(byte[] bytes) {
        if (bytes.length < 8 + Sha256.SIZE) {
            throw new IllegalArgumentException("ledger state file is too short");
        }
        byte[] body = Arrays.copyOf(bytes, bytes.length - Sha256.SIZE);
        byte[] check = Arrays.copyOfRange(bytes, bytes.length - Sha256.SIZE, bytes.length);
        if (!Arrays.equals(Sha256.hash(body), check)) {
            throw new IllegalArgumentException("ledger state file is corrupt (checksum mismatch)");
        }
        ByteBuffer in = ByteBuffer.wrap(body);
        if (in.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a chainkm ledger state file");
        }
        int format = in.getInt();
        if (format == 2) {
            throw new IllegalArgumentException("ledger state format 2 predates device identities (issue 11): its "
                    + "members joined without a device's signature, so this chain cannot go on under the new "
                    + "contracts; start a new chain (a new testnet directory, or a gateway home initialised again)");
        }
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown ledger state format " + format + " (this gateway reads "
                    + FORMAT + ")");
        }
        long height = in.getLong();
        byte[] appHash = blob(in);
        Consortium consortium = Consortium.decodeFrom(in);
        SetLayout layout = SetLayout.decode(blob(in));
        TreeMap<Integer, NodeRecord> members = new TreeMap<>();
        for (int i = in.getInt(); i > 0; i--) {
            NodeRecord r = NodeRecord.decodeFrom(in);
            members.put(r.nodeId(), r);
        }
        TreeSet<Integer> ids = new TreeSet<>();
        for (int i = in.getInt(); i > 0; i--) {
            ids.add(in.getInt());
        }
        TreeSet<byte[]> hashes = new TreeSet<>(Arrays::compareUnsigned);
        for (int i = in.getInt(); i > 0; i--) {
            byte[] h = new byte[Sha256.SIZE];
            in.get(h);
            hashes.add(h);
        }
        IdentityRegistry identities = IdentityRegistry.decodeFrom(in);
        List<RefreshEntry> log = new ArrayList<>();
        for (int i = in.getInt(); i > 0; i--) {
            log.add(RefreshEntry.decodeFrom(in));
        }
        List<RemovalEntry> removals = new ArrayList<>();
        for (int i = in.getInt(); i > 0; i--) {
            removals.add(RemovalEntry.decodeFrom(in));
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("ledger state file has trailing bytes");
        }
        return new LedgerState(consortium, height, appHash, layout, members, ids, hashes, identities, log, log.size(),
                removals);
    }

    private static byte[] blob(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return b;
    }
}
