package chainkm.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    @TempDir
    Path root;

    @Test
    void theDefaultsAreThoseOfTheImage() {
        AgentConfig c = AgentConfig.of(Path.of("/"), Map.of());
        assertEquals(Path.of("/var/lib/chainkm"), c.stateDir());
        assertEquals(Path.of("/boot/firmware/chainkm/provisioning.properties"), c.bootBundle());
        assertEquals(Path.of("/proc/device-tree/model"), c.boardModel());
        assertEquals(17, c.ledPin());
        assertEquals(27, c.buttonPin());
        assertEquals(Duration.ofMillis(1500), c.longPress());
        assertEquals(5700, c.d2dBind().getPort());
        assertNull(c.peerNode());
        assertEquals("soc", c.sensor());
    }

    @Test
    void everyPathIsReadBelowTheRoot() throws IOException {
        Path file = root.resolve("etc/chainkm/agent.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "state.dir=/srv/state\npeer.node=12\npeer.address=10.0.0.5:5700\nsensor.i2c.address=0x49\n");
        AgentConfig c = AgentConfig.load(root, Path.of("/etc/chainkm/agent.properties"));
        assertEquals(root.resolve("srv/state"), c.stateDir());
        assertEquals(root.resolve("boot/firmware/chainkm/provisioning.properties"), c.bootBundle());
        assertEquals(root.resolve("proc/device-tree/model"), c.boardModel());
        assertEquals(root.resolve("sys/class/thermal/thermal_zone0/temp"), c.socTemperature());
        assertEquals(12, c.peerNode());
        assertEquals(0x49, c.i2cAddress());
    }

    @Test
    void protectedObjectsAreOffUnlessResourcesAreNamed() {
        AgentConfig none = AgentConfig.of(Path.of("/"), Map.of());
        assertTrue(none.objectResources().isEmpty());
        assertEquals(0, none.objectsPort());
        AgentConfig c = AgentConfig.of(Path.of("/"), Map.of("objects.resources", "/temperature, /sensors/soc",
                "objects.interval_ms", "2500", "objects.port", "5683"));
        assertEquals(java.util.List.of("/temperature", "/sensors/soc"), c.objectResources());
        assertEquals(java.time.Duration.ofMillis(2500), c.objectsInterval());
        assertEquals(5683, c.objectsPort());
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.of(Path.of("/"), Map.of("objects.resources", "temp")));
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.of(Path.of("/"), Map.of("objects.port", "70000")));
    }

    @Test
    void mistakesAreNamed() throws IOException {
        Path file = root.resolve("a.properties");
        Files.writeString(file, "gpio.lde=17\n");
        IOException e = assertThrows(IOException.class, () -> AgentConfig.load(Path.of("/"), file));
        assertTrue(e.getMessage().contains("unknown key 'gpio.lde'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.of(Path.of("/"), Map.of("gpio.led", "40")));
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.of(Path.of("/"), Map.of("peer.node", "3")));
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.of(Path.of("/"), Map.of("board", "arduino")));
        assertThrows(IllegalArgumentException.class,
                () -> AgentConfig.of(Path.of("/"), Map.of("button.long_ms", "6000", "button.very_long_ms", "5000")));
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.of(Path.of("/"), Map.of("state.dir", "var/x")));
    }
}
