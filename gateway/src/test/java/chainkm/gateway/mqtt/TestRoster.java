package chainkm.gateway.mqtt;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/** A ledger's roster for broker tests: members are added and revoked by the test. */
final class TestRoster implements DeviceRoster {
    private final Map<String, Integer> members = new ConcurrentHashMap<>();

    TestRoster member(String name, int nodeId) {
        members.put(name, nodeId);
        return this;
    }

    void revoke(String name) {
        members.remove(name);
    }

    @Override
    public OptionalInt nodeOf(String name) {
        Integer node = members.get(name);
        return node == null ? OptionalInt.empty() : OptionalInt.of(node);
    }

    @Override
    public Optional<String> nameOf(int nodeId) {
        return members.entrySet().stream().filter(e -> e.getValue() == nodeId).map(Map.Entry::getKey).findFirst();
    }
}
