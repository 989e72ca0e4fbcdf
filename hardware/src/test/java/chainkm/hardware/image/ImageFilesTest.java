package chainkm.hardware.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import chainkm.hardware.AgentConfig;
import org.junit.jupiter.api.Test;

/** The overlay's sources in {@code hardware/image/}: the systemd unit, the launcher, users and directories. */
class ImageFilesTest {
    private static final Path IMAGE = Path.of("image"); // the module's directory is the working directory

    /** The unit's settings; a key set twice keeps every value. */
    static Map<String, List<String>> unit() throws IOException {
        Map<String, List<String>> settings = new TreeMap<>();
        for (String line : Files.readAllLines(IMAGE.resolve("etc/systemd/system/chainkm-agent.service"))) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("[")) {
                continue;
            }
            int eq = l.indexOf('=');
            settings.computeIfAbsent(l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
        }
        return settings;
    }

    @Test
    void theUnitRunsTheLauncherUnprivilegedInTheGpioGroupAndRestartsOnFailure() throws IOException {
        Map<String, List<String>> u = unit();
        assertEquals(List.of("chainkm"), u.get("User"));
        assertTrue(u.get("SupplementaryGroups").get(0).contains("gpio"));
        assertEquals(List.of("on-failure"), u.get("Restart"));
        assertEquals(List.of("/opt/chainkm/bin/chainkm-agent --config /etc/chainkm/agent.properties"), u.get("ExecStart"));
        assertEquals(List.of("3"), u.get("RestartPreventExitStatus"));
        assertEquals(List.of("multi-user.target"), u.get("WantedBy"));
    }

    @Test
    void theUnitIsSandboxedWithoutHidingTheGpioDevices() throws IOException {
        Map<String, List<String>> u = unit();
        assertEquals(List.of("strict"), u.get("ProtectSystem"));
        assertEquals(List.of("yes"), u.get("NoNewPrivileges"));
        assertEquals(List.of("yes"), u.get("PrivateTmp"));
        assertEquals(List.of("yes"), u.get("ProtectHome"));
        assertEquals(List.of(""), u.get("CapabilityBoundingSet"));
        assertTrue(u.get("ReadWritePaths").contains("/var/lib/chainkm"));
        assertTrue(u.get("ReadWritePaths").contains("-/boot/firmware/chainkm"));
        assertFalse(u.containsKey("PrivateDevices"), "PrivateDevices=yes hides /dev/gpiochip*");
        assertTrue(u.get("DeviceAllow").contains("char-gpiochip rw"));
        assertFalse(u.containsKey("MemoryDenyWriteExecute"), "the JIT needs writable code");
    }

    @Test
    void theLauncherCapsTheHeapAt32MegabytesAndRunsTheAgent() throws IOException {
        Path launcher = IMAGE.resolve("opt/chainkm/bin/chainkm-agent");
        String text = Files.readString(launcher);
        assertTrue(text.startsWith("#!/bin/sh\n"));
        assertTrue(text.contains(" -Xmx32m "), text);
        assertTrue(text.contains("chainkm.hardware.AgentMain"), text);
        assertTrue(text.contains("/opt/chainkm/lib/*"), text);
        assertEquals(0755, ImageBuilder.mode("opt/chainkm/bin/chainkm-agent"));
    }

    @Test
    void theUserAndItsStateDirectoryAreDeclared() throws IOException {
        List<String> users = Files.readAllLines(IMAGE.resolve("usr/lib/sysusers.d/chainkm.conf"));
        assertTrue(users.stream().anyMatch(l -> l.matches("u chainkm .*/var/lib/chainkm.*")), users.toString());
        assertTrue(users.contains("m chainkm gpio"), users.toString());
        List<String> dirs = Files.readAllLines(IMAGE.resolve("usr/lib/tmpfiles.d/chainkm.conf"));
        assertTrue(dirs.contains("d /var/lib/chainkm 0700 chainkm chainkm -"), dirs.toString());
    }

    @Test
    void theConfigTemplateLoadsAndStatesTheDefaults() throws IOException {
        Path root = IMAGE.toAbsolutePath();
        assertEquals(AgentConfig.of(root, Map.of()), AgentConfig.load(root, Path.of("/etc/chainkm/agent.properties")));
    }
}
