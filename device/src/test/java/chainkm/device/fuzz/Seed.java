package chainkm.device.fuzz;

import java.nio.file.Path;

/**
 * One file of a fuzz target's seed corpus, a real encoding, stored where Jazzer looks for it:
 * {@code src/test/resources/<package>/<Class>Inputs/<method>/seed-<name>} ({@link SeedCorpusTest}).
 */
public record Seed(Class<?> target, String method, String name, byte[] bytes) {
    Path path(Path testResources) {
        return testResources.resolve(target.getPackageName().replace('.', '/'))
                .resolve(target.getSimpleName() + "Inputs").resolve(method).resolve("seed-" + name);
    }
}
