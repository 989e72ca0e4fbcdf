package chainkm.gateway.mqtt;

import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.MqttCredential;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway as administrator of its external Mosquitto's dynamic-security plugin: it adds a
 * device as a client (user = its name, bound to client id {@code node-<id>}, its password, the
 * roles {@link DynsecRoles#SETS_ROLE} and its own node role) when the device fetches its
 * credential, and, after each commit, disables (which disconnects it) and deletes every device
 * client the ledger no longer admits. Commands go to {@code $CONTROL/dynamic-security/v1} over
 * the gateway's own TLS connection; the plugin answers on {@code .../v1/response}. At start it
 * lists the clients a previous run left, so that their revocation is not missed either.
 */
public final class MosquittoDynsec implements DeviceAccounts, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MosquittoDynsec.class);
    static final String CONTROL = "$CONTROL/dynamic-security/v1";
    static final String RESPONSE = CONTROL + "/response";
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final MqttClient client;
    private final DeviceRoster roster;
    private final String gatewayUser;
    /** Device clients this gateway knows of: name to node (-1: found at start, node unknown). */
    private final Map<String, Integer> devices = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong();

    private MosquittoDynsec(MqttClient client, DeviceRoster roster, String gatewayUser) {
        this.client = client;
        this.roster = roster;
        this.gatewayUser = gatewayUser;
    }

    /** Connects as the gateway's user (client id {@code <user>-dynsec}) and lists the device clients already there. */
    public static MosquittoDynsec connect(String url, TlsPin broker, String gatewayUser, char[] password,
                                          DeviceRoster roster) throws IOException {
        Objects.requireNonNull(roster, "roster");
        MqttConnectOptions options = new MqttConnectOptions();
        PinnedBroker.configure(options, url, broker);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(gatewayUser);
        options.setPassword(password.clone());
        options.setCleanSession(true);
        options.setAutomaticReconnect(true);
        options.setConnectionTimeout((int) TIMEOUT.toSeconds());
        MqttClient client;
        try {
            client = new MqttClient(url, gatewayUser + "-dynsec", new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("bad MQTT url: " + url, e);
        }
        MosquittoDynsec admin = new MosquittoDynsec(client, roster, gatewayUser);
        try {
            client.connect(options);
            client.subscribe(RESPONSE, 1, (topic, message) -> admin.onResponse(message.getPayload()));
            admin.loadExisting();
        } catch (MqttException | IOException e) {
            admin.close();
            throw new IOException("cannot administer Mosquitto's dynamic security at " + url + " as " + gatewayUser
                    + ": " + e.getMessage(), e);
        }
        LOG.info("administering Mosquitto's dynamic security at {} ({} device clients found)", url,
                admin.devices.size());
        return admin;
    }

    private void loadExisting() throws IOException {
        JsonNode r = call(List.of(command("listClients"))).get(0);
        for (JsonNode name : r.path("data").path("clients")) {
            String user = name.isTextual() ? name.asText() : name.path("username").asText("");
            if (!user.isEmpty() && !user.equals(gatewayUser) && !RekeyAccess.isGatewayUser(user)) {
                devices.put(user, -1);
            }
        }
    }

    @Override
    public synchronized void admit(int nodeId, MqttCredential credential) throws IOException {
        String user = credential.user();
        ObjectNode create = command("createClient").put("username", user)
                .put("password", new String(credential.password())).put("clientid", RekeyAccess.clientId(nodeId));
        ArrayNode roles = create.putArray("roles");
        roles.addObject().put("rolename", DynsecRoles.SETS_ROLE);
        roles.addObject().put("rolename", DynsecRoles.nodeRole(nodeId));
        ObjectNode role = DynsecRoles.nodeRoleDefinition(nodeId, user);
        role.put("command", "createRole");
        // delete first: the same device may fetch its credential again (restart, return from another gateway)
        List<JsonNode> out = call(List.of(command("deleteClient").put("username", user), role, create));
        String error = out.get(2).path("error").asText("");
        String roleError = out.get(1).path("error").asText("");
        if (!error.isEmpty() || !(roleError.isEmpty() || roleError.contains("already exists"))) {
            throw new IOException("Mosquitto refused the client of device " + user + ": "
                    + (error.isEmpty() ? roleError : error));
        }
        devices.put(user, nodeId);
    }

    @Override
    public synchronized int closeRevoked() {
        int removed = 0;
        for (Map.Entry<String, Integer> e : Map.copyOf(devices).entrySet()) {
            OptionalInt now = roster.nodeOf(e.getKey());
            if (now.isPresent() && (e.getValue() < 0 || now.getAsInt() == e.getValue())) {
                continue;
            }
            String user = e.getKey();
            try {
                // disabling disconnects the client at once; deleting removes the credential for good
                call(List.of(command("disableClient").put("username", user),
                        command("deleteClient").put("username", user)));
                if (e.getValue() >= 0) {
                    call(List.of(command("deleteRole").put("rolename", DynsecRoles.nodeRole(e.getValue()))));
                }
                devices.remove(user);
                removed++;
                LOG.warn("MQTT: removed and disconnected device {} from Mosquitto (it left or was evicted)", user);
            } catch (IOException ex) {
                LOG.warn("MQTT: could not remove device {} from Mosquitto yet ({}); retried after the next commit",
                        user, ex.getMessage());
            }
        }
        return removed;
    }

    private ObjectNode command(String name) {
        return DynsecRoles.JSON.createObjectNode().put("command", name);
    }

    /** Sends the commands in one message and returns the plugin's responses in the same order. */
    private List<JsonNode> call(List<ObjectNode> commands) throws IOException {
        String batch = "c" + next.incrementAndGet();
        ObjectNode message = DynsecRoles.JSON.createObjectNode();
        ArrayNode list = message.putArray("commands");
        List<CompletableFuture<JsonNode>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            String id = batch + "-" + i;
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            waiting.put(id, f);
            answers.add(f);
            list.add(commands.get(i).deepCopy().put("correlationData", id));
        }
        try {
            client.publish(CONTROL, DynsecRoles.JSON.writeValueAsBytes(message), 1, false);
            List<JsonNode> out = new java.util.ArrayList<>();
            for (CompletableFuture<JsonNode> f : answers) {
                out.add(f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            }
            return out;
        } catch (MqttException | ExecutionException | TimeoutException e) {
            throw new IOException("dynamic-security command failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            for (int i = 0; i < commands.size(); i++) {
                waiting.remove(batch + "-" + i);
            }
        }
    }

    private void onResponse(byte[] payload) {
        try {
            for (JsonNode r : DynsecRoles.JSON.readTree(payload).path("responses")) {
                CompletableFuture<JsonNode> f = waiting.get(r.path("correlationData").asText(""));
                if (f != null) {
                    f.complete(r);
                }
            }
        } catch (IOException e) {
            LOG.warn("unreadable dynamic-security response: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(1_000);
            }
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("dynamic-security client close: {}", e.toString());
        }
    }
}
