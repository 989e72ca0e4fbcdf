package chainkm.gateway.ledger;

import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.sets.Reorder;
import chainkm.protocol.sets.SetLayout;
import chainkm.protocol.sets.SetMove;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated state of the key-management ledger (layer 2): the consortium, the set
 * layout, the members, the device identities, every node id and (identity-scoped) commitment
 * ever used, the log of accepted operations with their refresh keys, and the committed gateway
 * removals. Only sorted collections: nothing here
 * depends on hash-map iteration order, so every validator encodes the same bytes.
 *
 * <p>Every change goes through the write methods below, which keep a {@link StateDigest} of
 * all of it up to date (a few multiplications per change); the app hash of a block covers that
 * digest, so a validator whose state differs from the others' stops agreeing with them.
 *
 * <p>Not thread-safe: {@link LedgerApp} owns instances and guards them.
 */
public final class LedgerState {
    private static final int MAGIC = 0x434B4D4C; // "CKML"
    /**
     * 5: the authorization state (issue 13). 4: the state digest (issue 12). 3 added device identities and the committed gateway
     * removals (issue 11). Formats 2 and 3 are refused: their chains' app hashes were computed
     * under other rules, so a node could not replay them.
     */
    private static final int FORMAT = 5;
    private static final byte[] APP_HASH_TAG = "chainkm/v1/app-hash".getBytes(StandardCharsets.US_ASCII);

    private Consortium consortium;
    private long height;
    private byte[] appHash;
    private final SetLayout layout;
    private final TreeMap<Integer, NodeRecord> members;
    private final TreeSet<Integer> usedNodeIds;
    /** {@link IdentityRegistry#scopedCommitment} of every join ever accepted. */
    private final TreeSet<byte[]> usedCommitments;
    private final IdentityRegistry identities;
    private final AuthorizationRegistry authz;
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
    private final StateDigest digest;
    /**
     * The owner of each set as {@link #digest} counts it, and the next set id it counts: after
     * a layout change, the sets it touched are compared with these (a set that disappeared no
     * longer tells its owner).
     */
    private final TreeMap<Integer, Integer> digestedOwners;
    private int digestedNextSetId;

    private LedgerState(Consortium consortium, long height, byte[] appHash, SetLayout layout,
                        TreeMap<Integer, NodeRecord> members, TreeSet<Integer> usedNodeIds,
                        TreeSet<byte[]> usedCommitments, IdentityRegistry identities, AuthorizationRegistry authz,
                        List<RefreshEntry> sharedLog,
                        int sharedLength, List<RemovalEntry> removals, StateDigest digest,
                        TreeMap<Integer, Integer> digestedOwners, int digestedNextSetId) {
        this.consortium = consortium;
        this.height = height;
        this.appHash = appHash;
        this.layout = layout;
        this.members = members;
        this.usedNodeIds = usedNodeIds;
        this.usedCommitments = usedCommitments;
        this.identities = identities;
        this.authz = authz;
        this.sharedLog = sharedLog;
        this.sharedLength = sharedLength;
        this.removals = removals;
        this.digest = digest;
        this.digestedOwners = digestedOwners;
        this.digestedNextSetId = digestedNextSetId;
    }

    /** A state read or created whole: its digest computed from every entry (O(state), at start only). */
    private static LedgerState computed(Consortium consortium, long height, byte[] appHash, SetLayout layout,
                                        TreeMap<Integer, NodeRecord> members, TreeSet<Integer> usedNodeIds,
                                        TreeSet<byte[]> usedCommitments, IdentityRegistry identities,
                                        AuthorizationRegistry authz, List<RefreshEntry> log,
                                        List<RemovalEntry> removals) {
        TreeMap<Integer, Integer> owners = new TreeMap<>();
        for (int setId : layout.setIds()) {
            owners.put(setId, layout.ownerOf(setId));
        }
        LedgerState s = new LedgerState(consortium, height, appHash, layout, members, usedNodeIds, usedCommitments,
                identities, authz, log, log.size(), removals, StateDigest.empty(), owners, layout.nextSetId());
        s.recomputeDigest(s.digest);
        return s;
    }

    /** Adds every entry of this state to {@code d}. */
    private void recomputeDigest(StateDigest d) {
        consortium.keys().forEach((id, key) -> d.add(DigestEntries.gateway(id, key)));
        for (int setId : layout.setIds()) {
            d.add(DigestEntries.set(setId, layout.ownerOf(setId)));
            for (int node : layout.members(setId)) {
                d.add(DigestEntries.inSet(node, setId));
            }
        }
        d.add(DigestEntries.nextSetId(layout.nextSetId()));
        members.values().forEach(r -> d.add(DigestEntries.member(r)));
        usedNodeIds.forEach(id -> d.add(DigestEntries.usedNodeId(id)));
        usedCommitments.forEach(c -> d.add(DigestEntries.usedCommitment(c)));
        identities.all().values().forEach(i -> d.add(DigestEntries.identity(i)));
        identities.forEachKeyOwner((key, name) -> d.add(DigestEntries.keyOwner(key, name)));
        for (int i = 0; i < sharedLength; i++) {
            d.add(DigestEntries.operation(sharedLog.get(i)));
        }
        ownEntries.forEach(e -> d.add(DigestEntries.operation(e)));
        removals.forEach(r -> d.add(DigestEntries.removal(r)));
        authz.forEachEntry(p -> d.add(DigestEntries.policy(p)), (dev, k) -> d.add(DigestEntries.deviceOwner(dev, k)),
                id -> d.add(DigestEntries.usedPolicyId(id)), c -> d.add(DigestEntries.usedCti(c)),
                t -> d.add(DigestEntries.token(t)), (c, r) -> d.add(DigestEntries.revocation(c, r)));
    }

    /** The digest of this state computed from scratch, for tests that check the incremental one. */
    byte[] digestFromScratch() {
        StateDigest d = StateDigest.empty();
        recomputeDigest(d);
        return d.value();
    }

    /** The state before InitChain: no consortium yet, height 0. */
    public static LedgerState empty() {
        return computed(new Consortium(Collections.emptyMap()), 0, new byte[0], new SetLayout(),
                new TreeMap<>(), new TreeSet<>(), new TreeSet<>(Arrays::compareUnsigned), IdentityRegistry.empty(),
                AuthorizationRegistry.empty(), new ArrayList<>(), new ArrayList<>());
    }

    /** A working copy for CheckTx, proposals or block execution; only the committed state may be copied. */
    public LedgerState copy() {
        if (!ownEntries.isEmpty()) {
            throw new IllegalStateException("copy of an uncommitted working state");
        }
        TreeSet<byte[]> commitments = new TreeSet<>(Arrays::compareUnsigned);
        commitments.addAll(usedCommitments);
        return new LedgerState(consortium, height, appHash, layout.copy(), new TreeMap<>(members),
                new TreeSet<>(usedNodeIds), commitments, identities.copy(), authz.copy(), sharedLog, sharedLength,
                new ArrayList<>(removals), digest.copy(), new TreeMap<>(digestedOwners), digestedNextSetId);
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

    /** The digest of everything in this state (32 bytes; see {@link StateDigest}). */
    public byte[] stateDigest() {
        return digest.value();
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

    /**
     * The height of the latest RENEW of {@code setId} at or above {@code fromHeight}, if any. Reads
     * only the log's entries from that height on (binary search), so the renewal contract's rate
     * limit costs the operations of its window, not the ledger's history, and needs no state of
     * its own (the log is in the state and its digest already).
     */
    public OptionalLong lastRenewal(int setId, long fromHeight) {
        OptionalLong found = OptionalLong.empty();
        for (RefreshEntry e : refreshEntries(Math.max(0, fromHeight), Long.MAX_VALUE)) {
            if (e.operation() == Operation.RENEW && e.setId() == setId) {
                found = OptionalLong.of(e.height());
            }
        }
        return found;
    }

    // --- authorization reads (AuthorizationContracts, LedgerQuery) ----------------------

    /** A live policy by id. */
    public Optional<chainkm.protocol.authz.Policy> policy(byte[] id) {
        return authz.policy(id);
    }

    /** Live policies by id. */
    public SortedMap<byte[], chainkm.protocol.authz.Policy> policies() {
        return authz.policies();
    }

    /** The owner key a device is bound to (by its first policy), if any. */
    public Optional<byte[]> deviceOwner(String device) {
        return authz.deviceOwner(device);
    }

    public boolean policyIdUsed(byte[] id) {
        return authz.policyIdUsed(id);
    }

    public boolean ctiUsed(byte[] cti) {
        return authz.ctiUsed(cti);
    }

    /**
     * The token with this cti while it is in state (it leaves at the first block at or after its
     * exp; callers check {@code liveAt} against the height they act at).
     */
    public Optional<TokenEntry> token(byte[] cti) {
        return authz.token(cti);
    }

    /** The access token with this cti while it is in state (as {@link #token}), for readers outside the ledger. */
    public Optional<chainkm.protocol.authz.AccessToken> accessToken(byte[] cti) {
        return authz.token(cti).map(TokenEntry::token);
    }

    /** The height of the block that deleted the token with this cti, while it is on the revocation list. */
    public OptionalLong revokedAt(byte[] cti) {
        return authz.revocation(cti).map(r -> OptionalLong.of(r.height())).orElse(OptionalLong.empty());
    }

    public SortedMap<byte[], TokenEntry> tokens() {
        return authz.tokens();
    }

    public List<TokenEntry> tokensOf(byte[] client) {
        return authz.tokensOf(client);
    }

    public Optional<AuthorizationRegistry.Revocation> revocation(byte[] cti) {
        return authz.revocation(cti);
    }

    /** The revocation list: cti to (deletion height, exp), for tokens that have not reached their exp. */
    public SortedMap<byte[], AuthorizationRegistry.Revocation> revocations() {
        return authz.revocations();
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
        this.consortium.keys().forEach((id, key) -> digest.remove(DigestEntries.gateway(id, key)));
        consortium.keys().forEach((id, key) -> digest.add(DigestEntries.gateway(id, key)));
        this.consortium = consortium;
    }

    void addMember(NodeRecord record) {
        putMember(record);
        if (usedNodeIds.add(record.nodeId())) {
            digest.add(DigestEntries.usedNodeId(record.nodeId()));
        }
        byte[] scoped = IdentityRegistry.scopedCommitment(record.identity(), record.secretCodeHash());
        if (usedCommitments.add(scoped)) {
            digest.add(DigestEntries.usedCommitment(scoped));
        }
    }

    /** Records a commitment of identity {@code name} that is not a join's (a re-anchor's new anchor). */
    void useCommitment(String name, byte[] commitment) {
        byte[] scoped = IdentityRegistry.scopedCommitment(name, commitment);
        if (usedCommitments.add(scoped)) {
            digest.add(DigestEntries.usedCommitment(scoped));
        }
    }

    void putIdentity(DeviceIdentity identity) {
        identities.get(identity.name()).ifPresent(old -> digest.remove(DigestEntries.identity(old)));
        digest.add(DigestEntries.identity(identity));
        byte[] key = identity.key();
        Optional<String> owner = identities.keyOwner(key);
        if (!owner.equals(Optional.of(identity.name()))) {
            owner.ifPresent(name -> digest.remove(DigestEntries.keyOwner(key, name)));
            digest.add(DigestEntries.keyOwner(key, identity.name()));
        }
        identities.put(identity);
    }

    void removeMember(int nodeId) {
        NodeRecord old = members.remove(nodeId);
        if (old != null) {
            digest.remove(DigestEntries.member(old));
        }
    }

    void replaceMember(NodeRecord record) {
        putMember(record);
    }

    void moveMember(int nodeId, int toSetId) {
        NodeRecord old = members.get(nodeId);
        if (old != null) {
            putMember(old.inSet(toSetId));
        }
    }

    private void putMember(NodeRecord record) {
        NodeRecord old = members.put(record.nodeId(), record);
        if (old != null) {
            digest.remove(DigestEntries.member(old));
        }
        digest.add(DigestEntries.member(record));
    }

    /** Adds a node to the layout ({@link SetLayout#add}). */
    void layoutAdd(int nodeId, int setId, int gatewayId) {
        layout.add(nodeId, setId, gatewayId);
        digest.add(DigestEntries.inSet(nodeId, setId));
        layoutChanged(List.of(setId));
    }

    /** Removes a member from the layout ({@link SetLayout#remove}). */
    void layoutRemove(int nodeId) {
        int setId = layout.setOf(nodeId).orElseThrow(() -> new IllegalArgumentException("node " + nodeId
                + " is not a member"));
        layout.remove(nodeId);
        digest.remove(DigestEntries.inSet(nodeId, setId));
        layoutChanged(List.of(setId));
    }

    /** {@link Reorder#afterLeave(SetLayout, int, int)} on the layout; the moves it made. */
    List<SetMove> layoutReorderAfterLeave(int leftSetId, int owner) {
        List<SetMove> moves = Reorder.afterLeave(layout, leftSetId, owner);
        TreeSet<Integer> touched = new TreeSet<>(List.of(leftSetId));
        for (SetMove m : moves) {
            digest.replace(DigestEntries.inSet(m.nodeId(), m.fromSetId()), DigestEntries.inSet(m.nodeId(), m.toSetId()));
            touched.add(m.fromSetId());
            touched.add(m.toSetId());
        }
        layoutChanged(touched);
        return moves;
    }

    /** {@link SetLayout#transferOwnership}: the sets handed over. */
    SortedSet<Integer> layoutTransfer(int from, int to) {
        SortedSet<Integer> moved = layout.transferOwnership(from, to);
        layoutChanged(moved);
        return moved;
    }

    /** Brings the digest's set entries and next set id in line with the layout, for the sets a change touched. */
    private void layoutChanged(Collection<Integer> touchedSets) {
        for (int setId : touchedSets) {
            Integer counted = digestedOwners.get(setId);
            Integer now = layout.size(setId) > 0 ? layout.ownerOf(setId) : null;
            if (Objects.equals(counted, now)) {
                continue;
            }
            if (counted != null) {
                digest.remove(DigestEntries.set(setId, counted));
                digestedOwners.remove(setId);
            }
            if (now != null) {
                digest.add(DigestEntries.set(setId, now));
                digestedOwners.put(setId, now);
            }
        }
        if (layout.nextSetId() != digestedNextSetId) {
            digest.replace(DigestEntries.nextSetId(digestedNextSetId), DigestEntries.nextSetId(layout.nextSetId()));
            digestedNextSetId = layout.nextSetId();
        }
    }

    void appendRefresh(RefreshEntry entry) {
        ownEntries.add(entry);
        digest.add(DigestEntries.operation(entry));
    }

    void addRemoval(RemovalEntry removal) {
        removals.add(removal);
        digest.add(DigestEntries.removal(removal));
    }

    // --- authorization writes (AuthorizationContracts and the start of each block) --------

    void putPolicy(chainkm.protocol.authz.Policy p) {
        byte[] id = p.id();
        if (!authz.policyIdUsed(id)) {
            digest.add(DigestEntries.usedPolicyId(id));
        }
        digest.add(DigestEntries.policy(p.encode()));
        authz.putPolicy(p);
        if (authz.bindOwner(p.device(), p.owner())) {
            digest.add(DigestEntries.deviceOwner(p.device(), p.owner()));
        }
    }

    void removePolicy(byte[] id) {
        chainkm.protocol.authz.Policy old = authz.removePolicy(id);
        if (old != null) {
            digest.remove(DigestEntries.policy(old.encode()));
        }
    }

    void addToken(TokenEntry token) {
        authz.addToken(token);
        digest.add(DigestEntries.usedCti(token.token().cti()));
        digest.add(DigestEntries.token(token));
    }

    /** Deletes a live token: it leaves the tokens and joins the revocation list until its exp. */
    void revokeToken(byte[] cti, long height) {
        TokenEntry old = authz.removeToken(cti);
        if (old == null) {
            return;
        }
        digest.remove(DigestEntries.token(old));
        AuthorizationRegistry.Revocation r = new AuthorizationRegistry.Revocation(height, old.token().exp());
        authz.addRevocation(cti, r);
        digest.add(DigestEntries.revocation(cti, r));
    }

    /**
     * Run at the start of every block, before its transactions: tokens whose exp is at or below
     * {@code height} leave the state, and so do revocations of tokens that would have expired by
     * then (nothing can use them any more). Returns how many entries left.
     */
    int expireTokens(long height) {
        int n = 0;
        for (byte[] cti : authz.expiredAt(height)) {
            TokenEntry old = authz.removeToken(cti);
            digest.remove(DigestEntries.token(old));
            n++;
        }
        for (byte[] cti : authz.revocationsEndedAt(height)) {
            AuthorizationRegistry.Revocation r = authz.removeRevocation(cti);
            digest.remove(DigestEntries.revocation(cti, r));
            n++;
        }
        return n;
    }

    /**
     * Ends a block: records the height and chains the app hash, SHA-256("chainkm/v1/app-hash" ||
     * height || state digest || previous app hash || results digest), where the results digest
     * covers the block's transactions and their codes. A block without transactions (and whose
     * start expired no token, see {@link #expireTokens}) changes no state and leaves the app hash unchanged, so CometBFT with create_empty_blocks=false does not
     * need endless proof blocks.
     */
    void finishBlock(long newHeight, byte[] resultsDigest, boolean changed) {
        if (changed) {
            StateWriter w = new StateWriter();
            w.put(APP_HASH_TAG);
            w.putLong(newHeight);
            w.put(digest.value());
            w.put(appHash);
            w.put(resultsDigest);
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
        out.put(digest.value());
        consortium.encodeTo(out);
        out.putBlob(layout.encode());
        out.putInt(members.size());
        members.values().forEach(r -> r.encodeTo(out));
        out.putInt(usedNodeIds.size());
        usedNodeIds.forEach(out::putInt);
        out.putInt(usedCommitments.size());
        usedCommitments.forEach(out::put);
        identities.encodeTo(out);
        authz.encodeTo(out);
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

    /**
     * Reads a state file and recomputes its digest from every entry (the one O(state) pass, at
     * start).
     *
     * @throws CorruptStateException when the file's checksum or the digest saved in it does not
     *     match its content
     * @throws IllegalArgumentException when it is no state file this gateway reads
     */
    public static LedgerState decode(byte[] bytes) {
        if (bytes.length < 8 + Sha256.SIZE) {
            throw new IllegalArgumentException("ledger state file is too short");
        }
        byte[] body = Arrays.copyOf(bytes, bytes.length - Sha256.SIZE);
        byte[] check = Arrays.copyOfRange(bytes, bytes.length - Sha256.SIZE, bytes.length);
        if (!Arrays.equals(Sha256.hash(body), check)) {
            throw new CorruptStateException("its checksum does not match its content");
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
        if (format == 3) {
            throw new IllegalArgumentException("ledger state format 3 predates the state digest (issue 12): that "
                    + "chain's app hashes do not cover its state, so this version cannot replay or extend it; start a "
                    + "new chain (a new testnet directory, or a gateway home initialised again)");
        }
        if (format == 4) {
            throw new IllegalArgumentException("ledger state format 4 predates the authorization state (issue 13); "
                    + "start a new chain (a new testnet directory, or a gateway home initialised again)");
        }
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown ledger state format " + format + " (this gateway reads "
                    + FORMAT + ")");
        }
        long height = in.getLong();
        byte[] appHash = blob(in);
        byte[] savedDigest = new byte[Sha256.SIZE];
        in.get(savedDigest);
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
        AuthorizationRegistry authz = AuthorizationRegistry.decodeFrom(in);
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
        LedgerState state = computed(consortium, height, appHash, layout, members, ids, hashes, identities, authz,
                log, removals);
        if (!Arrays.equals(state.digest.value(), savedDigest)) {
            throw new CorruptStateException("its content does not match its digest");
        }
        return state;
    }

    private static byte[] blob(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return b;
    }
}
