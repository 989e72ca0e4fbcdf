package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.MqttCredential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's key and certificate, its pin, and the devices' derived passwords. */
class BrokerTlsTest {
    @TempDir
    Path home;

    @Test
    void theKeyIsOwnerOnlyAndThePinIsThatOfTheCertificatesKey() throws Exception {
        TlsPin pin = BrokerTls.generate(home.resolve("mqtt-tls.key"), home.resolve("mqtt-tls.crt"), "gateway-1");
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve("mqtt-tls.key"))));
        BrokerTls tls = BrokerTls.load(home.resolve("mqtt-tls.key"), home.resolve("mqtt-tls.crt"));
        assertEquals(pin, tls.pin());
        assertTrue(pin.matches(tls.certificate()));
        assertEquals("EC", tls.certificate().getPublicKey().getAlgorithm());
        assertEquals(pin, TlsPin.fromHex(pin.hex()));
        TlsPin other = BrokerTls.generate(home.resolve("k2"), home.resolve("c2"), "gateway-1");
        assertNotEquals(pin, other, "every gateway gets a key of its own");
        assertThrows(IllegalArgumentException.class, () -> TlsPin.fromHex("00"));
    }

    @Test
    void devicePasswordsBindTheNameToTheNodeAndTheGateway() throws Exception {
        DevicePasswords.generate(home.resolve("mqtt-devices.secret"));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve("mqtt-devices.secret"))));
        DevicePasswords mine = DevicePasswords.load(home.resolve("mqtt-devices.secret"));
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        DevicePasswords another = DevicePasswords.of(secret);

        MqttCredential a = mine.issue("dev-a", 7);
        assertEquals(a, mine.issue("dev-a", 7), "derived, so the same each time");
        assertTrue(mine.matches("dev-a", 7, bytes(a)));
        assertTrue(!mine.matches("dev-a", 8, bytes(a)), "another node under the same name");
        assertTrue(!mine.matches("dev-b", 7, bytes(a)), "another name as the same node");
        assertTrue(!another.matches("dev-a", 7, bytes(a)), "another gateway's secret");
        assertTrue(!mine.matches("dev-a", 7, null));
        assertTrue(!mine.matches("dev-a", 7, new byte[0]));
    }

    private static byte[] bytes(MqttCredential c) {
        return new String(c.password()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
