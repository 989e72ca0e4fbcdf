package chainkm.gateway.devices;

/** A device request the gateway cannot serve; the message is safe to send to the device (no key bytes). */
public final class DeviceServiceException extends Exception {
    public DeviceServiceException(String message) {
        super(message);
    }

    public DeviceServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
