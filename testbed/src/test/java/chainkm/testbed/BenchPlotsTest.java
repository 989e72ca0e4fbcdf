package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's figures come out of a small synthetic report as real PNG images, under the names the bench writes. */
class BenchPlotsTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path run;

    private static ResponseTimeBench.Point point(String profile, int gateways, String mode, String op, double median) {
        return new ResponseTimeBench.Point(profile, gateways, mode, op, 10, median, median * 1.6, median + 1,
                0.5, 2, median - 2.5, median, median * 1.7);
    }

    /** Checks a PNG file and returns how many distinct colours it has. */
    private static int assertPng(Path file) throws IOException {
        assertTrue(Files.exists(file), file + " was not written");
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > 10_000, file + " is only " + bytes.length + " bytes");
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), file + " is not a PNG");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " does not decode");
        assertTrue(image.getWidth() >= 800 && image.getHeight() >= 500, file + " is " + image.getWidth() + "x"
                + image.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    @Test
    void aReportWritesEveryFigureAsAPng() throws IOException {
        BenchReport report = new BenchReport(run);
        for (String profile : List.of("fast", "paper")) {
            double scale = profile.equals("fast") ? 1 : 40; // paper is about 40 times slower: a log scale
            for (int gateways : List.of(1, 4, 7)) {
                for (String mode : List.of("commit", "sync")) {
                    for (String op : List.of("join", "leave")) {
                        double median = (mode.equals("commit") ? 20 + 5 * gateways : 3) * scale;
                        report.responseTime(point(profile, gateways, mode, op, median),
                                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("total_cores", 1.2));
                    }
                }
                report.errorRate(new ErrorRateBench.Point(profile, gateways, 8, 15, 100, gateways, 0, 4, 30),
                        new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("total_cores", 1.5));
            }
        }
        report.finish(List.of(), 1);
        for (String name : List.of("fig5b_response_time.png", "fig5b_response_time_fast.png",
                "fig5b_response_time_paper.png", "fig5a_steps_fast.png", "fig5a_steps_paper.png",
                "fig5c_sync_error_rate.png")) {
            assertTrue(assertPng(run.resolve(name)) > 20, name + " looks blank");
        }
        assertTrue(Files.readString(run.resolve("summary.md")).contains("fig5b_response_time.png"));
    }

    @Test
    void aLogLogFigureWithoutBandsIsAPngToo() throws IOException {
        Path file = run.resolve("keys_per_device.png");
        new BenchChart("Keys stored per device", "devices n", "keys").xScale(BenchChart.Scale.LOG)
                .add(new BenchChart.Series("mean", List.of(new BenchChart.Point(16, 8), new BenchChart.Point(100, 20),
                        new BenchChart.Point(100_000, 632))))
                .write(file);
        assertTrue(assertPng(file) > 10);
    }

    @Test
    void nothingIsWrittenForAFigureWithoutPoints() throws IOException {
        Path file = run.resolve("empty.png");
        new BenchChart("t", "x", "y").add(new BenchChart.Series("none", List.of())).write(file);
        assertFalse(Files.exists(file));
    }
}
