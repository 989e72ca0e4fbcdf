package chainkm.hardware;

import com.pi4j.io.i2c.I2C;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Where the button's sensor readings come from. */
public interface SensorSource {

    /** A temperature in degrees Celsius, and what measured it. */
    record Reading(String sensor, double celsius) {
        /** The D2D payload: {@code {"sensor":"soc","celsius":47.2}}. */
        public String json() {
            return String.format(Locale.ROOT, "{\"sensor\":\"%s\",\"celsius\":%.2f}", sensor, celsius);
        }
    }

    Reading read() throws IOException;

    /** The SoC temperature the kernel reports in millidegrees ({@code /sys/class/thermal/thermal_zone0/temp}). */
    static SensorSource socTemperature(Path file) {
        return () -> {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            try {
                return new Reading("soc", Long.parseLong(text) / 1000.0);
            } catch (NumberFormatException e) {
                throw new IOException(file + " does not hold a temperature in millidegrees");
            }
        };
    }

    /**
     * A TMP102-style I2C temperature sensor: two bytes at {@code register}, most significant first,
     * the top 12 bits a two's-complement count of 0.0625 °C.
     */
    static SensorSource i2cTemperature(I2C device, int register) {
        return () -> {
            byte[] b = new byte[2];
            int n;
            try {
                n = device.readRegister(register, b, 0, 2);
            } catch (RuntimeException e) {
                throw new IOException("I2C read of register " + register + " failed: " + e.getMessage(), e);
            }
            if (n != 2) {
                throw new IOException("I2C read of register " + register + " returned " + n + " bytes");
            }
            int raw = (short) (((b[0] & 0xff) << 8) | (b[1] & 0xff)) >> 4;
            return new Reading("i2c", raw * 0.0625);
        };
    }
}
