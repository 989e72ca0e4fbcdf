package chainkm.gateway.mqtt;

import chainkm.protocol.rekey.MqttCredential;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a device its MQTT credential on this gateway's broker ({@code GET /mqtt}): for the
 * node its DTLS session authenticated, the name the ledger gives that node, the password
 * {@link DevicePasswords} derives, and the broker told about it ({@link DeviceAccounts#admit}).
 */
public final class DeviceLogins {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceLogins.class);

    private final DeviceRoster roster;
    private final DevicePasswords passwords;
    private final DeviceAccounts accounts;

    public DeviceLogins(DeviceRoster roster, DevicePasswords passwords, DeviceAccounts accounts) {
        this.roster = Objects.requireNonNull(roster, "roster");
        this.passwords = Objects.requireNonNull(passwords, "passwords");
        this.accounts = Objects.requireNonNull(accounts, "accounts");
    }

    /**
     * The credential of member {@code nodeId}.
     *
     * @throws IOException if the ledger does not admit it (not a member, revoked) or the broker refused it
     */
    public MqttCredential issue(int nodeId) throws IOException {
        Optional<String> name = roster.nameOf(nodeId);
        if (name.isEmpty() || roster.nodeOf(name.get()).orElse(-1) != nodeId) {
            LOG.warn("MQTT credential refused to node {}: not a member, or its identity is revoked", nodeId);
            throw new IOException("node " + nodeId + " is not a member");
        }
        MqttCredential credential = passwords.issue(name.get(), nodeId);
        accounts.admit(nodeId, credential);
        LOG.info("MQTT credential handed to device {} (node {})", name.get(), nodeId);
        return credential;
    }

    /** After a commit: the broker drops the devices the ledger no longer admits. */
    public int closeRevoked() {
        return accounts.closeRevoked();
    }
}
