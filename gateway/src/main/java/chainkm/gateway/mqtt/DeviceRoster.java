package chainkm.gateway.mqtt;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which devices may use MQTT now, as the committed ledger says: the broker's view of the
 * ledger's identities. Implementations read committed state only and are thread-safe.
 */
public interface DeviceRoster {
    /**
     * The node that device {@code name} is, if its identity is enrolled or active (not revoked)
     * and it is a member; empty otherwise (unknown, left, evicted).
     */
    OptionalInt nodeOf(String name);

    /** The name of the device that is member {@code nodeId}, if it is a member. */
    Optional<String> nameOf(int nodeId);
}
