package chainkm.gateway.proxy;

import chainkm.protocol.cose.ProtectedResource;

/**
 * A signed protected object the proxy accepted: its bytes exactly as the device signed them
 * (a tagged COSE_Sign1), and what the proxy could read of it without any key.
 *
 * @param resource the device (from its DTLS identity) and the resource path
 * @param session j, the session whose group key opens it (the kid)
 * @param sequence s, the device's sequence number (the IV)
 * @param readingSize the size of the encrypted reading
 */
public record CachedObject(ProtectedResource resource, byte[] bytes, long session, long sequence, int readingSize) {
    public CachedObject {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "object of " + resource + " (session " + session + ", sequence " + sequence + ", " + bytes.length
                + " bytes)";
    }
}
