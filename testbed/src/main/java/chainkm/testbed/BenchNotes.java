package chainkm.testbed;

/** The fixed prose of summary.md: what the paper reports, what the figures mean, what limits them. */
final class BenchNotes {
    private BenchNotes() {}

    static final String PAPER = "TODO\n";
    static final String LIMITS = "TODO\n";
    static final String STEPS = "TODO\n";
    static final String ERRORS = "TODO\n";
    static final String HOT_SPOTS = "TODO\n";
    static final String TIMEOUTS = "TODO\n";
}
