package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/** A key manager stand-in: fixed PSKs, bundles, rekey messages and set memberships. */
final class FakeDeviceService implements DeviceService {
    final Map<String, byte[]> psks = new ConcurrentHashMap<>();
    final Map<String, byte[]> bundles = new ConcurrentHashMap<>();
    final Map<Integer, Integer> sets = new ConcurrentHashMap<>();
    /** Rekey messages of each node; message i has sequence number i + 1. */
    final Map<Integer, List<byte[]>> rekeys = new ConcurrentHashMap<>();
    volatile String refusal;
    /** Identities that {@link #join} served, in order. */
    final List<String> joined = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public byte[] join(String bootstrapIdentity, byte[] commitment) throws DeviceServiceException {
        if (commitment.length != 32) {
            throw new IllegalStateException("the resource must check the commitment's size");
        }
        if (refusal != null) {
            throw new DeviceServiceException(refusal);
        }
        byte[] bundle = bundles.get(bootstrapIdentity);
        if (bundle == null) {
            throw new DeviceServiceException("no bundle for " + bootstrapIdentity);
        }
        joined.add(bootstrapIdentity);
        return bundle.clone();
    }

    @Override
    public List<byte[]> catchUp(int nodeId, long afterSeq) throws DeviceServiceException {
        if (refusal != null) {
            throw new DeviceServiceException(refusal);
        }
        List<byte[]> all = rekeys.getOrDefault(nodeId, List.of());
        List<byte[]> missed = new ArrayList<>();
        for (int i = (int) Math.max(0, Math.min(afterSeq, all.size())); i < all.size(); i++) {
            missed.add(all.get(i));
        }
        return missed;
    }

    @Override
    public OptionalInt setOf(int nodeId) {
        Integer set = sets.get(nodeId);
        return set == null ? OptionalInt.empty() : OptionalInt.of(set);
    }

    @Override
    public byte[] pskFor(String identity) {
        byte[] psk = psks.get(identity);
        return psk == null ? null : psk.clone();
    }

    /** Rejoin requests served, and relay requests (requester:node:after). */
    final List<byte[]> rejoins = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> relays = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public byte[] rejoin(String bootstrapIdentity, byte[] request) throws DeviceServiceException {
        if (refusal != null) {
            throw new DeviceServiceException(refusal);
        }
        rejoins.add(request.clone());
        return new byte[22];
    }

    @Override
    public List<byte[]> relay(int requester, int nodeId, long afterSeq) throws DeviceServiceException {
        relays.add(requester + ":" + nodeId + ":" + afterSeq);
        return catchUp(nodeId, afterSeq);
    }

    /** Nodes that {@link #leave} removed, in order. */
    final List<Integer> left = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public long leave(int nodeId) throws DeviceServiceException {
        if (refusal != null) {
            throw new DeviceServiceException(refusal);
        }
        if (sets.remove(nodeId) == null) {
            throw new DeviceServiceException("node " + nodeId + " is not a member");
        }
        left.add(nodeId);
        return 77;
    }
}
