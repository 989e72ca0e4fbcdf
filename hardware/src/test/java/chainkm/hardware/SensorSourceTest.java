package chainkm.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.pi4j.io.i2c.I2C;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensorSourceTest {
    @TempDir
    Path dir;

    @Test
    void theSocTemperatureIsReadInMillidegrees() throws IOException {
        Path f = dir.resolve("temp");
        Files.writeString(f, "47236\n");
        SensorSource.Reading r = SensorSource.socTemperature(f).read();
        assertEquals(47.236, r.celsius(), 1e-9);
        assertEquals("{\"sensor\":\"soc\",\"celsius\":47.24}", r.json());
        Files.writeString(f, "hot");
        assertThrows(IOException.class, () -> SensorSource.socTemperature(f).read());
        assertThrows(IOException.class, () -> SensorSource.socTemperature(dir.resolve("none")).read());
    }

    @Test
    void anI2cSensorOnTheMockBusGivesTwelveBitTemperatures() throws IOException {
        try (Board board = Board.of(Board.mockContext(), true)) {
            I2C dev = board.i2c("sensor", 1, 0x48);
            SensorSource s = SensorSource.i2cTemperature(dev, 0);
            dev.writeRegister(0, new byte[] {0x19, 0x00}); // 0x190 = 400 counts = 25.0 C
            assertEquals(25.0, s.read().celsius(), 1e-9);
            dev.writeRegister(0, new byte[] {(byte) 0xE7, 0x00}); // -25.0 C in two's complement
            SensorSource.Reading r = s.read();
            assertEquals(-25.0, r.celsius(), 1e-9);
            assertEquals("i2c", r.sensor());
            assertThrows(IOException.class, s::read, "nothing more on the bus");
        }
    }
}
