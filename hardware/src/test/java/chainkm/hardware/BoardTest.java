package chainkm.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoardTest {
    @TempDir
    Path dir;

    @Test
    void withoutADeviceTreeTheBoardIsTheMockAndSaysWhy() {
        try (Board b = Board.open("auto", dir.resolve("model"))) {
            assertTrue(b.isMock());
            assertTrue(b.description().contains("no " + dir.resolve("model")), b.description());
            DigitalOutput led = b.output("led", 17);
            led.high();
            assertEquals(DigitalState.HIGH, led.state());
        }
    }

    @Test
    void anotherBoardsDeviceTreeIsNotAPi() throws IOException {
        Path model = dir.resolve("model");
        Files.write(model, "Pine64 RockPro64 v2.1\0".getBytes());
        try (Board b = Board.open("auto", model)) {
            assertTrue(b.isMock());
            assertTrue(b.description().contains("not a Raspberry Pi: Pine64 RockPro64 v2.1"), b.description());
        }
    }
}
