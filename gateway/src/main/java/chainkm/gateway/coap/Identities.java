package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import java.security.Principal;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;

/** The DTLS PSK identity of a gateway peer, and the strict number parsing the resources share. */
final class Identities {
    private static final int MAX_PRINTABLE = 64;

    private Identities() {
    }

    /** The PSK identity the peer authenticated with, or null if the request did not come over a PSK session. */
    static String pskOf(CoapExchange exchange) {
        EndpointContext source = exchange.advanced().getRequest().getSourceContext();
        Principal peer = source == null ? null : source.getPeerIdentity();
        if (peer instanceof PreSharedKeyIdentity psk) {
            return psk.getIdentity();
        }
        return null;
    }

    /**
     * The gateway id of a {@code gateway-<id>} PSK identity, empty for any other identity. Only
     * the canonical decimal form counts ({@code gateway-007} is not gateway 7).
     */
    static OptionalInt gatewayIdOf(String identity) {
        if (identity == null || !identity.startsWith(DeviceService.GATEWAY_PREFIX)) {
            return OptionalInt.empty();
        }
        String text = identity.substring(DeviceService.GATEWAY_PREFIX.length());
        OptionalInt id = parseInt(text);
        if (id.isPresent() && id.getAsInt() >= 0 && Integer.toString(id.getAsInt()).equals(text)) {
            return id;
        }
        return OptionalInt.empty();
    }

    /** A decimal int: an optional minus sign and 1 to 10 ASCII digits, nothing else. */
    static OptionalInt parseInt(String text) {
        if (!isDecimal(text, 10)) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** A decimal long: an optional minus sign and 1 to 19 ASCII digits, nothing else. */
    static OptionalLong parseLong(String text) {
        if (!isDecimal(text, 19)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static boolean isDecimal(String text, int maxDigits) {
        if (text == null) {
            return false;
        }
        int start = text.startsWith("-") ? 1 : 0;
        int digits = text.length() - start;
        if (digits < 1 || digits > maxDigits) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** An identity or request value made safe for a log line or a diagnostic: short, printable ASCII. */
    static String printable(String text) {
        if (text == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_PRINTABLE) + 3);
        for (int i = 0; i < text.length() && i < MAX_PRINTABLE; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (text.length() > MAX_PRINTABLE) {
            out.append("...");
        }
        return out.toString();
    }
}
