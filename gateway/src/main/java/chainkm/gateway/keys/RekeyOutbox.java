package chainkm.gateway.keys;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.rekey.Topics;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages of one operation's rekey plan: each sealed under the key-encryption key its
 * recipients hold (a member's node key, or a set's set key) and signed by this gateway, kept in
 * the archive, and queued for MQTT. A full-state NODE message (an adoption's, or a catch-up's
 * from below the archive) carries the removal proofs up to its operation: it is the message a
 * device accepts from a new owner, once it has checked that the consortium removed the old one.
 */
final class RekeyOutbox {
    private final HeldKeys keys;
    private final Ed25519.KeyPair signer;
    private final RekeyArchive archive;
    private final RefreshEntry entry;
    private final long seq;
    private final List<byte[]> proofs;
    private final List<KeyManager.Outgoing> messages = new ArrayList<>();

    /** @param proofs the committed removals up to {@code entry}, encoded, in ledger order */
    RekeyOutbox(HeldKeys keys, Ed25519.KeyPair signer, RekeyArchive archive, RefreshEntry entry, long seq,
                List<byte[]> proofs) {
        this.keys = keys;
        this.signer = signer;
        this.archive = archive;
        this.entry = entry;
        this.seq = seq;
        this.proofs = proofs;
    }

    /** A NODE message for one member, under its node key. */
    void node(int node, List<KeyUpdate> updates) {
        byte[] bytes = sealForNode(keys, signer, entry, seq, node, updates, proofs);
        archive.nodeMessage(seq, node, bytes);
        messages.add(new KeyManager.Outgoing(Topics.node(node), bytes));
    }

    /**
     * A NODE message kept for the member's catch-up only, never published on MQTT: a renewal's,
     * sealed under the node key it replaces. It reaches the device inside its DTLS session, so
     * whoever captured that old node key (and reads the broker's traffic) does not learn the new one.
     */
    void nodeInSession(int node, List<KeyUpdate> updates) {
        archive.nodeMessage(seq, node, sealForNode(keys, signer, entry, seq, node, updates, proofs));
    }

    /**
     * A SET message for every member of {@code set} but the {@code exempt} ones, under the set key
     * its members hold: one this operation did not change (sets with new keys get NODE messages).
     */
    void set(int set, List<KeyUpdate> updates, List<Integer> exempt) {
        RekeyMessage m = RekeyMessage.seal(header(keys, entry, seq, RekeyMessage.Kind.SET, set, exempt), updates,
                keys.setKey(set), signer);
        byte[] bytes = m.encode();
        archive.setMessage(seq, set, bytes);
        messages.add(new KeyManager.Outgoing(Topics.set(set), bytes));
    }

    List<KeyManager.Outgoing> messages() {
        return messages;
    }

    /**
     * A NODE message for {@code node}, labelled with operation {@code entry} at {@code seq}; with
     * {@code proofs} (the removals up to {@code entry}) if it carries the device's full state.
     */
    static byte[] sealForNode(HeldKeys keys, Ed25519.KeyPair signer, RefreshEntry entry, long seq, int node,
                              List<KeyUpdate> updates, List<byte[]> proofs) {
        boolean fullState = !updates.isEmpty() && updates.get(0).action() == KeyUpdate.Action.WIPE;
        RekeyMessage.Header h = header(keys, entry, seq, RekeyMessage.Kind.NODE, node, List.of());
        RekeyMessage m = RekeyMessage.seal(fullState ? h.withProofs(proofs) : h, updates, keys.nodeKey(node), signer);
        return m.encode();
    }

    private static RekeyMessage.Header header(HeldKeys keys, RefreshEntry e, long seq, RekeyMessage.Kind kind, int target,
                                              List<Integer> exempt) {
        return new RekeyMessage.Header(kind, keys.gatewayId(), seq, target, e.operation(), e.nodeId(), e.setId(),
                e.refreshKey(), exempt);
    }
}
