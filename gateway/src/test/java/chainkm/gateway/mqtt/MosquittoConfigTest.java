package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MosquittoConfigTest {

    @Test
    void hashesPasswordsExactlyAsMosquittoPasswdDoes() {
        // written by `mosquitto_passwd -c -b pw alice secret` (Mosquitto 2.0.11)
        String expected = "alice:$7$101$lbcr/AUHvnN/xA1C$nlv+d3Br0W22k3xUhvdDUvapJiWtMuzbtftb1Pb8vx90OXJOx"
                + "/NMgW84AOHXBNiD0H3egdUH4T/8RUuq2XWLrw==";
        byte[] salt = Base64.getDecoder().decode("lbcr/AUHvnN/xA1C");
        assertEquals(expected, MosquittoConfig.passwordLine("alice", "secret", salt, 101));
    }

    @Test
    void writesATlsListenerAndTheDynamicSecurityPluginWithTheGatewayAsAdministrator(@TempDir Path dir)
            throws Exception {
        Path key = dir.resolve("mqtt-tls.key");
        Path crt = dir.resolve("mqtt-tls.crt");
        MosquittoConfig config = MosquittoConfig.write(dir.resolve("broker"), new InetSocketAddress("127.0.0.1", 0),
                key, crt, "gateway-1", "a");
        assertTrue(config.port() > 0);
        assertEquals("ssl://127.0.0.1:" + config.port(), config.url());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.dir())));

        List<String> conf = Files.readAllLines(config.confFile());
        assertTrue(conf.contains("allow_anonymous false"));
        assertTrue(conf.contains("persistence false"));
        assertTrue(conf.contains("plugin_opt_config_file " + config.dynsecFile()));
        assertTrue(conf.stream().anyMatch(l -> l.startsWith("plugin ") && l.endsWith("mosquitto_dynamic_security.so")));
        assertTrue(conf.contains("listener " + config.port() + " 127.0.0.1"));
        assertTrue(conf.contains("certfile " + crt.toAbsolutePath()));
        assertTrue(conf.contains("keyfile " + key.toAbsolutePath()));
        assertFalse(conf.stream().anyMatch(l -> l.startsWith("password_file") || l.startsWith("acl_file")));

        JsonNode dynsec = DynsecRoles.JSON.readTree(config.dynsecFile().toFile());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.dynsecFile())));
        assertFalse(dynsec.path("defaultACLAccess").path("subscribe").asBoolean(true));
        assertFalse(dynsec.path("defaultACLAccess").path("publishClientSend").asBoolean(true));
        assertEquals(1, dynsec.path("clients").size());
        JsonNode gw = dynsec.path("clients").get(0);
        assertEquals("gateway-1", gw.path("username").asText());
        assertEquals(101, gw.path("iterations").asInt());
        assertFalse(Files.readString(config.dynsecFile()).contains("\"a\""), "no clear password");
        assertEquals(DynsecRoles.GATEWAY_ROLE, gw.path("roles").get(0).path("rolename").asText());
    }

    @Test
    void refusesUserNamesThatWouldBreakTheFiles(@TempDir Path dir) {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        Path k = dir.resolve("k");
        assertThrows(IllegalArgumentException.class,
                () -> MosquittoConfig.write(dir, any, k, k, "gateway-1\nuser x", "p"));
        assertThrows(IllegalArgumentException.class, () -> MosquittoConfig.write(dir, any, k, k, "gateway-1\"x", "p"));
        assertThrows(IllegalArgumentException.class, () -> MosquittoConfig.write(dir, any, k, k, "admin", "p"));
    }
}
