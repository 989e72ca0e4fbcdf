package chainkm.gateway;

import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.mqtt.DeviceRoster;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The MQTT brokers' view of the committed ledger: a device may use MQTT under its identity's
 * name while that identity is not revoked and its node is a member.
 */
record LedgerRoster(LedgerApp ledger) implements DeviceRoster {

    @Override
    public OptionalInt nodeOf(String name) {
        if (name == null) {
            return OptionalInt.empty();
        }
        return ledger.readCommitted(s -> s.identity(name)
                .filter(i -> i.state() != DeviceIdentity.State.REVOKED && i.node() != 0 && s.member(i.node()).isPresent())
                .map(i -> OptionalInt.of(i.node())).orElse(OptionalInt.empty()));
    }

    @Override
    public Optional<String> nameOf(int nodeId) {
        return ledger.readCommitted(s -> s.member(nodeId).map(m -> m.identity())
                .filter(name -> s.identity(name).filter(i -> i.state() != DeviceIdentity.State.REVOKED
                        && i.node() == nodeId).isPresent()));
    }
}
