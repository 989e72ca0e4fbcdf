package chainkm.gateway.ledger;

/**
 * A state file whose content is not what was saved: a checksum or the state digest saved in it
 * does not match. The node must not run on it (it would disagree with the others, or worse,
 * agree while holding other members or keys); the operator restores the file or resyncs.
 */
public final class CorruptStateException extends IllegalArgumentException {
    public CorruptStateException(String what) {
        super(what);
    }
}
