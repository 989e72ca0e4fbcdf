package chainkm.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.abci.AbciFramesFuzzTest;
import chainkm.gateway.ledger.ContractsFuzzTest;
import chainkm.gateway.ledger.StateFileFuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The stored seed corpora are today's encodings: after a wire format changes, this test fails
 * until they are written again with
 * {@code mvn -o -q -pl gateway -am test -Dtest=SeedCorpusTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dchainkm.fuzz.writeSeeds=true}.
 * Crash inputs Jazzer stored beside them (files not named {@code seed-*}) are left alone.
 */
class SeedCorpusTest {
    private static final Path RESOURCES = Path.of("src", "test", "resources");

    @Test
    void storedSeedsAreTodaysEncodings() throws Exception {
        List<Seed> seeds = new ArrayList<>();
        seeds.addAll(AbciFramesFuzzTest.seeds());
        seeds.addAll(ContractsFuzzTest.seeds());
        seeds.addAll(StateFileFuzzTest.seeds());
        if (Boolean.getBoolean("chainkm.fuzz.writeSeeds")) {
            write(seeds);
        }
        for (Seed s : seeds) {
            Path file = s.path(RESOURCES);
            assertTrue(Files.isRegularFile(file), file + " is missing: write the seeds (see this class)");
            assertArrayEquals(s.bytes(), Files.readAllBytes(file), file + " is stale: write the seeds (see this class)");
        }
        Set<Path> expected = seeds.stream().map(s -> s.path(RESOURCES)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, stored(seeds), "seed files that no sample makes any more");
    }

    private static void write(List<Seed> seeds) throws IOException {
        for (Path stale : stored(seeds)) {
            Files.delete(stale);
        }
        for (Seed s : seeds) {
            Files.createDirectories(s.path(RESOURCES).getParent());
            Files.write(s.path(RESOURCES), s.bytes());
        }
    }

    /** Every seed-* file in the inputs directories of the targets that have seeds. */
    private static Set<Path> stored(List<Seed> seeds) throws IOException {
        Set<Path> out = new TreeSet<>();
        for (Path dir : seeds.stream().map(s -> s.path(RESOURCES).getParent()).collect(Collectors.toSet())) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(f -> f.getFileName().toString().startsWith("seed-")).forEach(out::add);
                }
            }
        }
        return out;
    }
}
