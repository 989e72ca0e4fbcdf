package chainkm.gateway.proxy;

import java.util.Optional;

/**
 * What became of a pushed object: cached, or refused with a reason (short text, no key bytes),
 * in which case the cache did not change.
 */
public record PushOutcome(CachedObject cached, PushRefusal refusal, String reason) {
    static PushOutcome accepted(CachedObject cached) {
        return new PushOutcome(cached, null, "cached");
    }

    static PushOutcome refused(PushRefusal refusal, String reason) {
        return new PushOutcome(null, refusal, reason);
    }

    public boolean isAccepted() {
        return refusal == null;
    }

    public Optional<PushRefusal> refusalKind() {
        return Optional.ofNullable(refusal);
    }
}
