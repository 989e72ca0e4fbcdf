package chainkm.gateway;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.mqtt.DeviceRoster;
import chainkm.gateway.mqtt.RekeyAccess;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The MQTT brokers' view of the committed ledger: a device may use MQTT while it is a member.
 *
 * <p>Until the ledger records device identities (the identity registry of issue 11), the name
 * of member N is {@code node-N}: the ledger knows no other. With the registry, a name maps to
 * its identity's node, and an identity that is not ENROLLED or ACTIVE maps to none.
 */
record LedgerRoster(LedgerApp ledger) implements DeviceRoster {

    @Override
    public OptionalInt nodeOf(String name) {
        OptionalInt node = nodeOfInterimName(name);
        if (node.isEmpty()) {
            return node;
        }
        int id = node.getAsInt();
        return ledger.readCommitted(s -> s.member(id).isPresent()) ? node : OptionalInt.empty();
    }

    @Override
    public Optional<String> nameOf(int nodeId) {
        return ledger.readCommitted(s -> s.member(nodeId).map(m -> RekeyAccess.clientId(nodeId)));
    }

    private static OptionalInt nodeOfInterimName(String name) {
        if (name == null || !name.startsWith(RekeyAccess.CLIENT_ID_PREFIX)) {
            return OptionalInt.empty();
        }
        String digits = name.substring(RekeyAccess.CLIENT_ID_PREFIX.length());
        try {
            int id = Integer.parseInt(digits);
            return Integer.toString(id).equals(digits) && id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
