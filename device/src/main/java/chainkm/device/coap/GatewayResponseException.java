package chainkm.device.coap;

import java.io.IOException;

/**
 * The gateway answered, but with a CoAP error (4.xx or 5.xx) or an unexpected code. The
 * agent can tell "not allowed" ({@link #isClientError()}: do not retry as is) from "try again
 * later or elsewhere" (5.xx).
 */
public final class GatewayResponseException extends IOException {
    private final String responseCode;
    private final String diagnostic;

    GatewayResponseException(String request, String responseCode, String responseName, String diagnostic) {
        super("gateway answered " + responseCode + " " + responseName + " to " + request
                + (diagnostic.isEmpty() ? "" : ": " + diagnostic));
        this.responseCode = responseCode;
        this.diagnostic = diagnostic;
    }

    /** The CoAP response code in dotted form, e.g. {@code "4.03"}. */
    public String responseCode() {
        return responseCode;
    }

    /** The gateway's diagnostic text (printable ASCII, possibly empty). */
    public String diagnostic() {
        return diagnostic;
    }

    /** True for 4.xx: the request itself is refused, repeating it unchanged will not help. */
    public boolean isClientError() {
        return responseCode.startsWith("4.");
    }
}
