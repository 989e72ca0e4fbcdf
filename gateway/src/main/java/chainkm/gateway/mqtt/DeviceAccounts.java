package chainkm.gateway.mqtt;

import chainkm.protocol.rekey.MqttCredential;
import java.io.IOException;

/**
 * What a broker needs to hear about device credentials: when the gateway hands one out, and
 * after each commit, when the ledger may have revoked some. The embedded broker checks
 * credentials itself at each connect; Mosquitto learns them through its dynamic-security plugin.
 */
public interface DeviceAccounts {
    /** Makes the broker accept {@code credential} as node {@code nodeId} (nothing to do for the embedded broker). */
    void admit(int nodeId, MqttCredential credential) throws IOException;

    /** Removes and disconnects the devices the ledger no longer admits; the count removed. */
    int closeRevoked();
}
