package chainkm.gateway.proxy;

/** Why the proxy refused a pushed object; the CoAP endpoint maps each to a response code. */
public enum PushRefusal {
    /** Not a device's own identity session (an enrollment key, a gateway): 4.03. */
    NOT_A_DEVICE,
    /** Above the size limit per object: 4.13. */
    TOO_LARGE,
    /** Not a resource path: 4.00. */
    BAD_PATH,
    /** Not a signed protected object (version 1): 4.00. */
    MALFORMED,
    /** The signature does not verify as this device's object of this path (another device's object, or altered): 4.03. */
    BAD_SIGNATURE,
    /** Its sequence number is not above the cached one (an old object presented as new): 4.03. */
    REPLAY,
    /** The device has as many resources cached as it may: 4.03. */
    DEVICE_FULL,
    /** The cache is full: 5.03. */
    CACHE_FULL
}
