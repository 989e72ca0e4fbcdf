package chainkm.gateway.keyserver;

import chainkm.protocol.authz.AccessGrant;
import java.util.Objects;

/**
 * A key server's answer: the grant, or why not. The CoAP layer maps each outcome to one
 * response code; the diagnostic is short text without key material.
 *
 * @param grant      the grant (GRANTED only), else null
 * @param diagnostic why it was refused (empty when granted)
 */
public record KeyServerAnswer(Outcome outcome, AccessGrant grant, String diagnostic) {
    /** Outcomes, with the CoAP response code each one is answered with. */
    public enum Outcome {
        /** 2.05: the grant. */
        GRANTED,
        /** 4.00: the request does not parse. */
        BAD_REQUEST,
        /** 4.01: no live token binds the client's key (unknown, revoked, expired, another key's). */
        UNAUTHORIZED,
        /** 4.03: the token does not cover the request (another audience, a scope without it), or not a gateway's to ask. */
        FORBIDDEN,
        /** 4.04: the ledger knows no device of that name, so no key server manages its groups. */
        NOT_FOUND,
        /** 4.13: the request is too large. */
        TOO_LARGE,
        /** 5.03: cannot answer now (the home gateway unreachable or behind, the secret store failing). */
        UNAVAILABLE
    }

    public KeyServerAnswer {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(diagnostic, "diagnostic");
        if ((outcome == Outcome.GRANTED) != (grant != null)) {
            throw new IllegalArgumentException("a grant comes with GRANTED and only with it");
        }
    }

    public static KeyServerAnswer granted(AccessGrant grant) {
        return new KeyServerAnswer(Outcome.GRANTED, grant, "");
    }

    public static KeyServerAnswer refused(Outcome outcome, String diagnostic) {
        return new KeyServerAnswer(outcome, null, diagnostic);
    }

    public boolean isGranted() {
        return outcome == Outcome.GRANTED;
    }

    /** Never shows the key (AccessGrant's toString does not). */
    @Override
    public String toString() {
        return isGranted() ? grant.toString() : outcome + ": " + diagnostic;
    }
}
