package chainkm.gateway.devices;

import java.io.IOException;
import java.util.List;

/**
 * The gateway that owns the set of a device attached here, as the relay sees it: it hands out
 * the rekey messages it made for that device, sealed for the device and signed, so relaying
 * them teaches this gateway no key. The CoAP client to the owner's {@code GET /relay} is one.
 */
public interface OwnerGateway {
    /** The owner's messages for {@code node} above {@code afterSeq}, in order. */
    List<byte[]> relay(int node, long afterSeq) throws IOException;
}
