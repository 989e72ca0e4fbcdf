package chainkm.gateway.devices;

import java.util.List;
import java.util.OptionalInt;

/**
 * What the gateway's device-facing transports (CoAP over DTLS) need from its key manager.
 * Implementations are thread-safe.
 */
public interface DeviceService {
    /** Identities of provisioned devices that have not joined yet start with this. */
    String BOOTSTRAP_PREFIX = "boot-";
    /** Identities of joined devices: {@code node-<node id>}. */
    String NODE_PREFIX = "node-";
    /** Identities of other gateways of the consortium (relaying messages for a device attached to them): {@code gateway-<id>}. */
    String GATEWAY_PREFIX = "gateway-";

    /**
     * Joins the device that authenticated with bootstrap identity {@code bootstrapIdentity}:
     * submits the join to the ledger with the device's {@code commitment} (the anchor of its
     * rejoin hash chain, 32 bytes; the gateway never learns the chain's seed) and, once
     * accepted, returns the encoded join bundle (node id, set, keys). Idempotent: the same
     * identity asking again gets the same node's bundle (a device that crashed before saving
     * it must be able to retry).
     */
    byte[] join(String bootstrapIdentity, byte[] commitment) throws DeviceServiceException;

    /** The encoded rekey messages for node {@code nodeId} with a sequence number above {@code afterSeq}, in order. */
    List<byte[]> catchUp(int nodeId, long afterSeq) throws DeviceServiceException;

    /** The set of a member, as the committed ledger says; empty if the node is not a member. */
    OptionalInt setOf(int nodeId);

    /**
     * Reattaches a member to this gateway (orphan rejoin or move): checks the next link of its
     * hash chain against the anchor on the ledger, submits the REJOIN (sync mode: the device is
     * answered after CheckTx, without waiting for the block) and returns the encoded
     * {@link chainkm.protocol.rekey.Rejoin.Answer}.
     */
    default byte[] rejoin(String bootstrapIdentity, byte[] request) throws DeviceServiceException {
        throw new DeviceServiceException("rejoin is not served here");
    }

    /**
     * For gateway {@code requester}: the rekey messages this gateway, as the owner, made for
     * node {@code nodeId} above {@code afterSeq} (sealed and signed: the relaying gateway learns
     * no key from them).
     */
    default List<byte[]> relay(int requester, int nodeId, long afterSeq) throws DeviceServiceException {
        throw new DeviceServiceException("relay is not served here");
    }

    /** The DTLS pre-shared key for an identity ({@code boot-...} or {@code node-<id>}), or null if unknown. */
    byte[] pskFor(String identity);

    /**
     * Removes node {@code nodeId} from the network at its own request (the transport has checked
     * that the device authenticated as {@code node-<nodeId>}): submits the LEAVE in commit mode
     * and returns the height of the block that committed it.
     */
    default long leave(int nodeId) throws DeviceServiceException {
        throw new DeviceServiceException("this gateway does not serve device-initiated leaves");
    }
}
