package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
    void writesConfPasswordsAndAclForTheRekeyModel(@TempDir Path dir) throws Exception {
        MosquittoConfig config = MosquittoConfig.write(dir, new InetSocketAddress("127.0.0.1", 0),
                Map.of("gateway-1", "a", "gateway-2", "b"), "d");
        assertTrue(config.port() > 0);
        assertEquals("tcp://127.0.0.1:" + config.port(), config.url());

        List<String> conf = Files.readAllLines(config.confFile());
        assertTrue(conf.contains("allow_anonymous false"));
        assertTrue(conf.contains("persistence false"));
        assertTrue(conf.contains("password_file " + config.passwordFile()));
        assertTrue(conf.contains("acl_file " + config.aclFile()));
        assertTrue(conf.contains("log_dest file " + config.logFile()));
        assertTrue(conf.contains("listener " + config.port() + " 127.0.0.1"));

        List<String> passwords = Files.readAllLines(config.passwordFile());
        assertEquals(3, passwords.size());
        assertTrue(passwords.stream().allMatch(l -> l.matches("(gateway-1|gateway-2|device):\\$7\\$101\\$.+\\$.+")));
        assertFalse(Files.readString(config.passwordFile()).contains(":a\n"));

        String acl = Files.readString(config.aclFile());
        assertTrue(acl.contains("user gateway-1\ntopic readwrite chainkm/rekey/#\n"));
        assertTrue(acl.contains("user gateway-2\ntopic readwrite chainkm/rekey/#\n"));
        assertTrue(acl.contains("user device\ntopic read chainkm/rekey/#\n"));
        assertFalse(acl.contains("topic write"));
    }

    @Test
    void refusesUserNamesThatWouldBreakTheFiles(@TempDir Path dir) {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        assertThrows(IllegalArgumentException.class,
                () -> MosquittoConfig.write(dir, any, Map.of("gateway-1\nuser x", "p"), "d"));
        assertThrows(IllegalArgumentException.class,
                () -> MosquittoConfig.write(dir, any, Map.of("gateway-1:x", "p"), "d"));
        assertThrows(IllegalArgumentException.class,
                () -> MosquittoConfig.write(dir, any, Map.of("admin", "p"), "d"));
    }
}
