package chainkm.gateway.devices;

import chainkm.gateway.ledger.NodeRecord;
import java.util.Optional;

/**
 * Who may fetch a node's rekey messages from its owner gateway ({@code GET /relay}): only the
 * gateway the committed ledger attaches the node to. Any other consortium gateway would learn
 * nothing secret (the messages are sealed for the device), but it could follow a device it does
 * not serve, and every relay costs the owner a catch-up.
 */
final class RelayAuthority {
    private RelayAuthority() {}

    /** Why {@code requester} may not relay for the node of {@code member}, or empty if it may. */
    static Optional<String> refusal(Optional<NodeRecord> member, int nodeId, int requester) {
        if (member.isEmpty()) {
            return Optional.of("node " + nodeId + " is not a member");
        }
        int attached = member.get().attachedGateway();
        if (attached != requester) {
            return Optional.of("node " + nodeId + " is attached to gateway " + attached + " on the ledger, not to gateway "
                    + requester);
        }
        return Optional.empty();
    }
}
