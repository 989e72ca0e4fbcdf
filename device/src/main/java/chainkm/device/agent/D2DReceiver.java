package chainkm.device.agent;

import chainkm.device.keys.DeviceKeys;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.rekey.MessageFormatException;
import java.io.IOException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a received D2D packet is accepted, with no transport in it. Checks, in this
 * order, and refuses at the first failure: the packet decodes; it is for this device, under one of
 * its links with the claimed sender and a key value it holds (or, if signed, possibly a newer
 * one); under a pairwise set key, the claimed sender's signature verifies with the identity key
 * the device's gateway reports for that node ({@link SenderIdentities}); the AES-CCM tag
 * verifies; the counter is fresh in the durable window of (key, key seq, sender)
 * ({@link ReplayWindows}).
 *
 * <p>So nothing unauthenticated moves a window, triggers a catch-up or reaches the application,
 * and an identity look-up happens only for a packet that got as far as the signature. Single
 * caller (the receive thread).
 */
final class D2DReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(D2DReceiver.class);
    /** The sender of an outcome for a packet that did not decode. */
    static final int NO_SENDER = Integer.MIN_VALUE;
    private static final long CATCH_UP_SPACING_NANOS = 1_000_000_000L;

    /** Fetches the rekey messages this device missed. */
    interface CatchUp {
        int catchUp() throws IOException;
    }

    /** Accepted (payload set) or refused (kind and reason set). */
    record Outcome(int sender, byte[] payload, D2DRefusals.Kind refusal, String reason) {
        static Outcome accepted(int sender, byte[] payload) {
            return new Outcome(sender, payload, null, null);
        }

        static Outcome refused(int sender, D2DRefusals.Kind kind, String reason) {
            return new Outcome(sender, null, kind, reason);
        }

        boolean accepted() {
            return payload != null;
        }
    }

    private final DeviceKeys keys;
    private final SenderIdentities senders;
    private final ReplayWindows replay;
    private final CatchUp catchUp;
    private long lastCatchUp = System.nanoTime() - 2 * CATCH_UP_SPACING_NANOS;

    D2DReceiver(DeviceKeys keys, SenderIdentities senders, ReplayWindows replay, CatchUp catchUp) {
        this.keys = keys;
        this.senders = senders;
        this.replay = replay;
        this.catchUp = catchUp;
        replay.pruneWith(new ReplayWindows.LiveKeys() {
            @Override
            public boolean holds(KeyId id) {
                return !keys.candidates(id, 0).isEmpty();
            }

            @Override
            public boolean holdsValue(KeyId id, long seq) {
                return keys.candidates(id, seq).stream().anyMatch(k -> k.seq() == seq);
            }
        });
    }

    Outcome receive(byte[] data, int length) {
        D2DMessage m;
        try {
            m = D2DMessage.decode(data, length);
        } catch (MessageFormatException e) {
            return Outcome.refused(NO_SENDER, formatKind(data, length), e.getMessage());
        }
        int sender = m.sender();
        int me = keys.nodeId();
        if (m.receiver() != me) {
            return Outcome.refused(sender, D2DRefusals.Kind.NOT_FOR_THIS_DEVICE, "message for node " + m.receiver());
        }
        KeyId id = m.keyId();
        boolean mine = sender != me && (id.kind() == KeyKind.PAIRWISE_NODE_KEY
                ? id.involvesNode(me) && id.involvesNode(sender)
                : id.involvesSet(keys.setId()));
        if (!mine) {
            return Outcome.refused(sender, D2DRefusals.Kind.NOT_ITS_KEY, "key " + id
                    + " is not one of this device's links with node " + sender);
        }
        boolean held = !keys.candidates(id, m.keySeq()).isEmpty();
        // a signed message may come under a key this device does not have yet (it is behind): once
        // its signature holds it may ask for a catch-up. An unsigned one (pairwise node key) cannot
        // be authenticated without the key, so it never does.
        if (!held && !(m.isSigned() && m.keySeq() > keys.seq())) {
            return noKey(m);
        }
        if (m.isSigned()) {
            SenderIdentities.Lookup claimed = senders.lookup(sender);
            if (!claimed.known()) {
                return Outcome.refused(sender, D2DRefusals.Kind.UNKNOWN_SENDER, "signed message, but " + claimed.missing());
            }
            if (!m.signatureValid(claimed.key())) {
                return Outcome.refused(sender, D2DRefusals.Kind.BAD_SIGNATURE, "signature is not node " + sender
                        + "'s under " + id + ": a holder of the set key claiming another sender, or tampered");
            }
        }
        Opened opened = open(m);
        if (opened == null && m.isSigned() && m.keySeq() > keys.seq() && mayCatchUp()) {
            try {
                catchUp.catchUp();
            } catch (IOException e) {
                LOG.info("catch-up on a signed message from a newer seq failed: {}", e.getMessage());
            }
            opened = open(m);
        }
        if (opened == null) {
            if (keys.candidates(id, m.keySeq()).isEmpty()) {
                return noKey(m);
            }
            return Outcome.refused(sender, D2DRefusals.Kind.BAD_TAG, "message fails authentication under " + id
                    + " (seq " + m.keySeq() + "): tampered, or under a key this device no longer accepts");
        }
        byte[] payload = opened.payload();
        try {
            // the window of the key value that opened it (the message's seq label is only a hint)
            if (!replay.accept(id, opened.valueSeq(), sender, m.counter())) {
                Arrays.fill(payload, (byte) 0);
                return Outcome.refused(sender, D2DRefusals.Kind.REPLAYED, "replayed message (counter " + m.counter()
                        + " under " + id + " at or below what this device accepted, or recorded before a restart)");
            }
        } catch (IOException e) {
            Arrays.fill(payload, (byte) 0);
            return Outcome.refused(sender, D2DRefusals.Kind.STATE_ERROR, "cannot record it in the replay marks: "
                    + e.getMessage());
        }
        return Outcome.accepted(sender, payload);
    }

    private static Outcome noKey(D2DMessage m) {
        return Outcome.refused(m.sender(), D2DRefusals.Kind.NO_KEY, "no key " + m.keyId() + " at seq " + m.keySeq()
                + " (revoked or unknown)");
    }

    private static D2DRefusals.Kind formatKind(byte[] data, int length) {
        if (length > D2DMessage.MAX_SIZE) {
            return D2DRefusals.Kind.OVERSIZED;
        }
        int version = length == 0 ? -1 : data[0];
        if (version == D2DMessage.VERSION_1) {
            return D2DRefusals.Kind.OLD_VERSION;
        }
        return version == D2DMessage.VERSION ? D2DRefusals.Kind.MALFORMED : D2DRefusals.Kind.UNKNOWN_VERSION;
    }

    private record Opened(byte[] payload, long valueSeq) {}

    /** The payload and the seq of the key value it opened under: the current or (in its grace period) previous value. */
    private Opened open(D2DMessage m) {
        for (KeyMaterial candidate : keys.candidates(m.keyId(), m.keySeq())) {
            byte[] k = candidate.key();
            try {
                return new Opened(m.open(k), candidate.seq());
            } catch (AuthenticationException e) {
                // not under this value: try the next one, if any
            } finally {
                Arrays.fill(k, (byte) 0);
            }
        }
        return null;
    }

    /** At most one catch-up a second triggered by incoming messages. */
    private boolean mayCatchUp() {
        long now = System.nanoTime();
        if (now - lastCatchUp < CATCH_UP_SPACING_NANOS) {
            return false;
        }
        lastCatchUp = now;
        return true;
    }
}
