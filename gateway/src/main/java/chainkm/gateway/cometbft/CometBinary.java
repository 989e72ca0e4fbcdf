package chainkm.gateway.cometbft;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the pinned {@code cometbft} executable. In order: the system property
 * {@value #PROPERTY} (failsafe sets it for integration tests), the environment variable
 * {@value #ENV}, then {@code build/bin/cometbft} in the working directory or any of its
 * parents (where {@code make cometbft} puts it).
 */
public final class CometBinary {

    /** System property naming the executable. */
    public static final String PROPERTY = "chainkm.cometbft";
    /** Environment variable naming the executable. */
    public static final String ENV = "CHAINKM_COMETBFT";
    /** Where {@code make cometbft} builds it, relative to the repository root. */
    public static final Path RELATIVE = Path.of("build", "bin", "cometbft");

    private CometBinary() {
    }

    /**
     * Returns the executable's path.
     *
     * @throws IllegalStateException naming every place looked at, if none holds an executable
     */
    public static Path locate() {
        return locate(System.getProperty(PROPERTY), System.getenv(ENV), Path.of("").toAbsolutePath());
    }

    /** {@link #locate()} with its inputs given, for tests. */
    static Path locate(String property, String env, Path workingDir) {
        List<String> tried = new ArrayList<>();
        if (property != null && !property.isBlank()) {
            Path p = Path.of(property.trim());
            if (Files.isExecutable(p) && Files.isRegularFile(p)) {
                return p.toAbsolutePath();
            }
            tried.add("system property " + PROPERTY + "=" + p);
        }
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env.trim());
            if (Files.isExecutable(p) && Files.isRegularFile(p)) {
                return p.toAbsolutePath();
            }
            tried.add("environment variable " + ENV + "=" + p);
        }
        for (Path dir = workingDir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve(RELATIVE);
            if (Files.isExecutable(p) && Files.isRegularFile(p)) {
                return p;
            }
        }
        tried.add(RELATIVE + " in " + workingDir.toAbsolutePath() + " and its parents");
        throw new IllegalStateException("cometbft executable not found (tried " + String.join("; ", tried)
                + "). Build it with `make cometbft` at the repository root, or set "
                + ENV + " to its path.");
    }
}
