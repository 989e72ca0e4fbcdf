package chainkm.gateway.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.NodeRecord;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RelayAuthorityTest {
    private static NodeRecord attachedTo(int gateway) {
        return new NodeRecord(42, 1, new byte[32], 1, 5, gateway, "dev-42");
    }

    @Test
    void onlyTheGatewayTheLedgerAttachesTheNodeToMayRelay() {
        assertEquals(Optional.empty(), RelayAuthority.refusal(Optional.of(attachedTo(3)), 42, 3));
        Optional<String> other = RelayAuthority.refusal(Optional.of(attachedTo(3)), 42, 2);
        assertTrue(other.orElseThrow().contains("attached to gateway 3"), other.get());
        assertTrue(RelayAuthority.refusal(Optional.of(attachedTo(1)), 42, 2).isPresent(), "a node at home is relayed by nobody");
        assertTrue(RelayAuthority.refusal(Optional.empty(), 42, 2).orElseThrow().contains("not a member"));
    }
}
