package chainkm.gateway.submit;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.ledger.SecretCode;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Joins and leaves of devices that exist only inside this gateway, for the control API's
 * {@code submit} (tests, benchmarks, the dashboard): since every join carries a device's
 * signature, the gateway makes a throwaway identity ({@code synthetic-<8 hex>}, a fresh Ed25519
 * key), enrolls it (sync mode) and submits its join signed by it right after, so that both
 * usually land in one block.
 *
 * <p>The identity keys of the synthetic members are kept in memory only, by node id, so that
 * their leave can be signed; after a restart of the gateway its synthetic members can still be
 * evicted by it (the owner of their set), not left. Nobody else holds these keys: a gateway
 * cannot leave (or join) a real device in its name.
 */
public final class SyntheticDevices {
    private static final String PREFIX = "synthetic-";

    private record Identity(String name, Ed25519.KeyPair key) {}

    private final Submitter submitter;
    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, Identity> members = new ConcurrentHashMap<>();

    public SyntheticDevices(Submitter submitter) {
        this.submitter = submitter;
    }

    /** A synthetic device joins (node id, set and commitment chosen by the gateway). */
    public Submitter.Submission join(SubmitMode mode) throws IOException, InterruptedException {
        return join(mode, 0, null, null);
    }

    /**
     * A synthetic device joins; the node id (0: a fresh one), set and commitment may be fixed to
     * test the ledger's refusals. Answers the join's submission (its secret code is the one the
     * gateway made, null for a given commitment), or the enrollment's when the ledger refused that.
     */
    public Submitter.Submission join(SubmitMode mode, int nodeId, Integer setId, byte[] commitment)
            throws IOException, InterruptedException {
        byte[] id = new byte[4];
        random.nextBytes(id);
        Identity identity = new Identity(PREFIX + Hex.encode(id), Ed25519.KeyPair.generate(random));
        Submitter.Submission enroll = submitter.submit(
                Submitter.Request.enroll(new DeviceEnrollment(identity.name(), identity.key().publicKey())), SubmitMode.SYNC);
        if (enroll.first().status() == SubmitStatus.REFUSED) {
            return enroll;
        }
        byte[] secret = commitment == null ? SecretCode.generate(random) : null;
        byte[] c = commitment != null ? commitment : SecretCode.commitment(secret);
        Submitter.Request join = Submitter.Request.join(nodeId, c, DeviceAuthorization.forJoin(identity.name(), c, identity.key()))
                .withOverrides(setId, null);
        Submitter.Submission s = submitter.submit(join, mode, enroll.landed());
        if (s.first().status() != SubmitStatus.REFUSED) {
            int node = s.first().nodeId();
            members.put(node, identity);
            s.landed().thenAccept(r -> {
                if (!r.committed()) {
                    members.remove(node, identity);
                }
            });
        }
        return new Submitter.Submission(s.first(), s.landed(), secret);
    }

    /** True when this gateway made node {@code nodeId}'s identity (and still holds its key). */
    public boolean holds(int nodeId) {
        return members.containsKey(nodeId);
    }

    /**
     * The leave of a synthetic member, signed by its identity key.
     *
     * @throws IllegalArgumentException for a node whose identity key this gateway does not hold (a
     *                                  real device leaves by itself: its POST /leave carries its signature)
     */
    public Submitter.Request leave(int nodeId) {
        Identity identity = members.get(nodeId);
        if (identity == null) {
            throw new IllegalArgumentException("node " + nodeId + " is not a synthetic member made by this gateway "
                    + "(since its last start): a leave carries the device's own signature, so a real device leaves by "
                    + "itself (POST /leave), and a gateway can only evict it");
        }
        return Submitter.Request.leave(nodeId, DeviceAuthorization.forLeave(identity.name(), nodeId, identity.key()));
    }

    /** The member left or was evicted: its key is of no more use. */
    public void forget(int nodeId) {
        members.remove(nodeId);
    }
}
