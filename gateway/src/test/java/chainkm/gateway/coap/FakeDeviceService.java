package chainkm.gateway.coap;

import chainkm.gateway.devices.DevicePeer;
import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A key manager stand-in for the transport's tests: identities by key (the ledger's view, which a
 * test changes to revoke one mid-session), gateway PSKs, bundles, rekey messages and set
 * memberships, and a record of every call that reached it.
 */
final class FakeDeviceService implements DeviceService {
    private final Map<String, DeviceIdentity> identities = new ConcurrentHashMap<>();
    final Map<Integer, byte[]> gatewayPsks = new ConcurrentHashMap<>();
    /** Bundles by device name. */
    final Map<String, byte[]> bundles = new ConcurrentHashMap<>();
    final Map<Integer, Integer> sets = new ConcurrentHashMap<>();
    /** Rekey messages of each node; message i has sequence number i + 1. */
    final Map<Integer, List<byte[]>> rekeys = new ConcurrentHashMap<>();
    volatile DeviceServiceException refusal;
    /** What reached the service, in order. */
    final List<String> activated = new CopyOnWriteArrayList<>();
    final List<String> joined = new CopyOnWriteArrayList<>();
    final List<Integer> caughtUp = new CopyOnWriteArrayList<>();
    final List<byte[]> rejoins = new CopyOnWriteArrayList<>();
    final List<String> relays = new CopyOnWriteArrayList<>();
    /** Gateways the ledger attaches no relayed node to: their relay is refused as forbidden. */
    final List<Integer> relayRefusedFor = new CopyOnWriteArrayList<>();
    final List<Integer> left = new CopyOnWriteArrayList<>();

    /** Puts (or replaces) the identity the ledger holds under its current key. */
    void identity(DeviceIdentity identity) {
        identities.values().removeIf(i -> i.name().equals(identity.name()));
        identities.put(Hex.encode(identity.key()), identity);
    }

    /** Every call the device-facing resources made. */
    int calls() {
        return activated.size() + joined.size() + caughtUp.size() + rejoins.size() + relays.size() + left.size();
    }

    @Override
    public Optional<DeviceIdentity> identityByKey(byte[] rawKey) {
        return Optional.ofNullable(identities.get(Hex.encode(rawKey)));
    }

    @Override
    public byte[] gatewayPsk(int gatewayId) {
        byte[] psk = gatewayPsks.get(gatewayId);
        return psk == null ? null : psk.clone();
    }

    private void refuseIfTold() throws DeviceServiceException {
        DeviceServiceException r = refusal;
        if (r != null) {
            throw r;
        }
    }

    @Override
    public void activate(byte[] sessionKey, IdentityActivation activation) throws DeviceServiceException {
        refuseIfTold();
        activated.add(activation.name() + ":" + Hex.encode(sessionKey).substring(0, 8));
    }

    @Override
    public byte[] join(DevicePeer peer, JoinRequest request) throws DeviceServiceException {
        refuseIfTold();
        byte[] bundle = bundles.get(peer.name());
        if (bundle == null) {
            throw new DeviceServiceException("no bundle for " + peer.name());
        }
        joined.add(peer.name());
        return bundle.clone();
    }

    @Override
    public List<byte[]> catchUp(int nodeId, long afterSeq) throws DeviceServiceException {
        refuseIfTold();
        caughtUp.add(nodeId);
        List<byte[]> all = rekeys.getOrDefault(nodeId, List.of());
        List<byte[]> missed = new ArrayList<>();
        for (int i = (int) Math.max(0, Math.min(afterSeq, all.size())); i < all.size(); i++) {
            missed.add(all.get(i));
        }
        return missed;
    }

    /** A member's active identity, as the ledger would answer: a node with a set and an ACTIVE identity of that node. */
    @Override
    public Optional<DeviceIdentity> memberIdentity(int nodeId) {
        if (!sets.containsKey(nodeId)) {
            return Optional.empty();
        }
        return identities.values().stream()
                .filter(i -> i.node() == nodeId && i.state() == DeviceIdentity.State.ACTIVE).findFirst();
    }

    @Override
    public OptionalInt setOf(int nodeId) {
        Integer set = sets.get(nodeId);
        return set == null ? OptionalInt.empty() : OptionalInt.of(set);
    }

    @Override
    public byte[] rejoin(DevicePeer peer, byte[] request) throws DeviceServiceException {
        refuseIfTold();
        rejoins.add(request.clone());
        return new byte[22];
    }

    @Override
    public List<byte[]> relay(int requester, int nodeId, long afterSeq) throws DeviceServiceException {
        relays.add(requester + ":" + nodeId + ":" + afterSeq);
        if (relayRefusedFor.contains(requester)) {
            throw DeviceServiceException.forbidden("node " + nodeId + " is not attached to gateway " + requester);
        }
        List<byte[]> all = rekeys.getOrDefault(nodeId, List.of());
        return new ArrayList<>(all.subList((int) Math.min(afterSeq, all.size()), all.size()));
    }

    @Override
    public long leave(DevicePeer peer, LeaveRequest request) throws DeviceServiceException {
        refuseIfTold();
        if (sets.remove(peer.nodeId()) == null) {
            throw new DeviceServiceException("node " + peer.nodeId() + " is not a member");
        }
        left.add(peer.nodeId());
        return 77;
    }
}
