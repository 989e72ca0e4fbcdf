package chainkm.gateway.devices;

/**
 * A device request the gateway cannot serve; the message is safe to send to the device (no key
 * bytes). {@link #forbidden()} tells a refusal that a retry cannot change (the ledger refused,
 * the identity is revoked, the request is not the device's to make: CoAP 4.03) from a failure
 * that may pass (the ledger is unreachable, the keys are not ready: 5.03).
 */
public final class DeviceServiceException extends Exception {
    private final boolean forbidden;

    public DeviceServiceException(String message) {
        this(message, false, null);
    }

    public DeviceServiceException(String message, Throwable cause) {
        this(message, false, cause);
    }

    private DeviceServiceException(String message, boolean forbidden, Throwable cause) {
        super(message, cause);
        this.forbidden = forbidden;
    }

    /** A refusal: retrying the same request cannot succeed. */
    public static DeviceServiceException forbidden(String message) {
        return new DeviceServiceException(message, true, null);
    }

    public boolean forbidden() {
        return forbidden;
    }
}
