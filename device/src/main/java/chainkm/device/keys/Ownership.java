package chainkm.device.keys;

import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.RemovalProof;
import chainkm.protocol.ledger.Succession;
import chainkm.protocol.ledger.TxFormatException;
import chainkm.protocol.rekey.RekeyMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which gateway may change a device's keys: the owner of its set as the device last learned it
 * (its join bundle's gateway, then each adoption it accepted), within the consortium as it knows
 * it (its bundle's gateways, minus the removals proven to it). A message signed by any other
 * gateway is refused unless the removal proofs it carries make that gateway the owner: taken in
 * ledger order, each must be signed by more than two thirds of the consortium as it stood
 * ({@link RemovalProof#provenIn}), and the removal of the owner hands its sets to the successor
 * the ledger's own rule names ({@link Succession}). A proof of a gateway the device does not know
 * (removed before its bundle was made, or already proven) teaches nothing and is skipped.
 *
 * <p>Limits: the device's view is only as good as its bundle. Gateways added to the consortium
 * after the bundle was made are unknown to it (the ledger has no such operation yet); a bundle
 * that lists gateways the consortium never had counts them in the quorum.
 */
final class Ownership {
    private static final String REMOVED = "removed-gateway-";

    private Ownership() {}

    /**
     * The check's answer: whether the signer is entitled, the owner after the message's proofs,
     * the removals it proved that the device did not know, and why not when it is not entitled.
     */
    record Verdict(boolean entitled, int owner, SortedSet<Integer> newlyRemoved, String reason) {
        static Verdict refused(String reason) {
            return new Verdict(false, -1, new TreeSet<>(), reason);
        }
    }

    /** The name of the store value that records gateway {@code id}'s proven removal. */
    static String removedValue(int id) {
        return REMOVED + id;
    }

    /**
     * @param owner   the owner of the device's set as it knows it
     * @param anchors its bundle's gateways (id to Ed25519 public key)
     * @param removed the gateways whose removal was proven to it before
     */
    static Verdict check(RekeyMessage m, int owner, Map<Integer, byte[]> anchors, Set<Integer> removed) {
        SortedMap<Integer, byte[]> view = new TreeMap<>(anchors);
        view.keySet().removeAll(removed);
        SortedSet<Integer> learned = new TreeSet<>();
        int o = owner;
        List<byte[]> proofs = m.proofs();
        for (int i = 0; i < proofs.size(); i++) {
            RemovalProof p;
            try {
                p = RemovalProof.decode(proofs.get(i));
            } catch (TxFormatException e) {
                return Verdict.refused("removal proof " + (i + 1) + " is not a REMOVE_GATEWAY transaction ("
                        + e.getMessage() + ")");
            }
            int r = p.removedGateway();
            if (!view.containsKey(r)) {
                continue;
            }
            if (!p.provenIn(view)) {
                return Verdict.refused("removal proof of gateway " + r + " is signed by " + p.signers(view).size()
                        + " of the " + Cosignatures.quorum(view.size()) + " gateways it needs (of the " + view.size()
                        + " this device knows)");
            }
            if (r == o) {
                o = Succession.successorOf(view.keySet(), r);
            }
            view.remove(r);
            learned.add(r);
        }
        if (m.gatewayId() != o) {
            String why = o == owner ? "gateway " + o + " owns this device's set"
                    : "the removals it proves make gateway " + o + " the owner of this device's set";
            return Verdict.refused("rekey message signed by gateway " + m.gatewayId() + ", but " + why);
        }
        return new Verdict(true, o, learned, "");
    }
}
