package chainkm.gateway.devices;

import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the gateway's device-facing transport (CoAP over DTLS) needs from its key manager.
 * Devices authenticate with the raw public key of their ledger identity
 * ({@link #identityByKey}); other gateways with a pre-shared key ({@link #gatewayPsk}).
 * The transport decides who the peer is; the methods that take a {@link DevicePeer} trust it.
 * Implementations are thread-safe.
 */
public interface DeviceService {
    /** PSK identities of other gateways of the consortium (relaying messages for a device attached to them): {@code gateway-<id>}. */
    String GATEWAY_PREFIX = "gateway-";

    /**
     * The device identity whose current key is {@code rawKey} (32-byte Ed25519) in the committed
     * ledger, revoked ones included (the caller refuses them); empty for a key no identity holds
     * now (unknown, or an enrollment key after its activation).
     */
    Optional<DeviceIdentity> identityByKey(byte[] rawKey);

    /** The DTLS pre-shared key of gateway {@code gatewayId} ({@code gateway-<id>}), or null if it is not a peer. */
    byte[] gatewayPsk(int gatewayId);

    /**
     * Activates the identity named in {@code activation} with the device's own key, for a session
     * authenticated with {@code sessionKey}: that key must be the identity's enrolled key (or, on
     * a retry after a lost answer, the enrollment key that signed the activation the ledger
     * already holds: nothing is submitted then). Submits the ACTIVATE in commit mode.
     *
     * @throws DeviceServiceException {@link DeviceServiceException#forbidden() forbidden} when the
     *         session may not activate it or the ledger refused
     */
    default void activate(byte[] sessionKey, IdentityActivation activation) throws DeviceServiceException {
        throw new DeviceServiceException("activation is not served here");
    }

    /**
     * Joins device {@code peer}: submits the JOIN with the device's commitment and its signature
     * over it (the ledger checks it against the identity's key) and, once committed, returns the
     * encoded join bundle. Idempotent through the ledger: an identity that joined already gets its
     * node's bundle again.
     */
    byte[] join(DevicePeer peer, JoinRequest request) throws DeviceServiceException;

    /** The encoded rekey messages for node {@code nodeId} with a sequence number above {@code afterSeq}, in order. */
    List<byte[]> catchUp(int nodeId, long afterSeq) throws DeviceServiceException;

    /** The set of a member, as the committed ledger says; empty if the node is not a member. */
    OptionalInt setOf(int nodeId);

    /**
     * The active identity of member {@code nodeId} in the committed ledger (for a D2D receiver
     * that checks the node's signatures); empty if the node is not a member or its identity is
     * not active.
     */
    default Optional<DeviceIdentity> memberIdentity(int nodeId) {
        return Optional.empty();
    }

    /**
     * Reattaches member {@code peer} to this gateway (orphan rejoin or move; the transport checked
     * that the request names the peer's own node): checks the next link of its hash chain against
     * the anchor on the ledger, submits the REJOIN (sync mode) and returns the encoded
     * {@link chainkm.protocol.rekey.Rejoin.Answer}.
     */
    default byte[] rejoin(DevicePeer peer, byte[] request) throws DeviceServiceException {
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

    /**
     * Removes member {@code peer} from the network at its own request (the transport checked that
     * {@code request} names the peer's own node): submits the LEAVE with the device's signature in
     * commit mode and returns the height of the block that committed it.
     */
    default long leave(DevicePeer peer, LeaveRequest request) throws DeviceServiceException {
        throw new DeviceServiceException("this gateway does not serve device-initiated leaves");
    }
}
