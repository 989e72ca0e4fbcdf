package chainkm.hardware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.agent.StoreKeySource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OTP-sealed store key, with a fake {@code rpi-otp-private-key} on PATH (no real Pi here). */
class OtpStoreKeyTest {
    private static final String OTP_A = "0f".repeat(32);
    private static final String OTP_B = "a0".repeat(32);
    @TempDir
    Path tmp;

    /** A directory holding a fake rpi-otp-private-key that prints {@code output} and exits with {@code exit}. */
    private String fakeOtpOnPath(String name, String output, int exit) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve(name));
        Path tool = bin.resolve(OtpStoreKey.COMMAND);
        Files.writeString(tool, "#!/bin/sh\necho '" + output + "'\nexit " + exit + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
        return tmp.resolve("empty-dir") + ":" + bin + ":" + System.getenv("PATH");
    }

    private static Board pi(String model) {
        return Board.of(Board.mockContext(), false, model);
    }

    @Test
    void onAPi4Or5TheKeyIsDerivedFromTheOtpKeyAndASaltSoTheFilesAloneOpenNothing() throws Exception {
        String path = fakeOtpOnPath("bin-a", OTP_A, 0);
        StoreKeySource source = pi("Raspberry Pi 5 Model B Rev 1.0").storeKeySource(path);
        assertInstanceOf(OtpStoreKey.class, source);
        Path state = tmp.resolve("state");
        byte[] key = source.loadOrCreate(state);
        assertEquals(16, key.length);
        assertArrayEquals(key, source.loadOrCreate(state), "the same board and salt give the same key at every start");
        assertFalse(Files.exists(state.resolve(OtpStoreKey.PLAIN_KEY_FILE)), "no key file is written");
        byte[] salt = Files.readAllBytes(state.resolve(OtpStoreKey.SALT_FILE));
        assertEquals(32, salt.length);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(OtpStoreKey.SALT_FILE))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("keystore-key"))));
        for (Path f : Files.list(state.resolve("keystore-key")).toList()) {
            byte[] content = Files.readAllBytes(f);
            assertFalse(Arrays.equals(content, key), "no file holds the key");
        }
        // the same SD card in another board (another OTP key): another key, the store does not open
        byte[] otherBoard = pi("Raspberry Pi 4 Model B Rev 1.4").storeKeySource(fakeOtpOnPath("bin-b", OTP_B, 0))
                .loadOrCreate(state);
        assertFalse(Arrays.equals(key, otherBoard));
    }

    @Test
    void aBlankOrUnreadableOtpKeyIsAClearErrorThatShowsNoKeyMaterial() throws Exception {
        Board pi5 = pi("Raspberry Pi 5 Model B Rev 1.0");
        IOException blank = assertThrows(IOException.class,
                () -> pi5.storeKeySource(fakeOtpOnPath("blank", "00".repeat(32), 0)).loadOrCreate(tmp.resolve("s1")));
        assertTrue(blank.getMessage().contains("not programmed"), blank.getMessage());
        IOException failed = assertThrows(IOException.class,
                () -> pi5.storeKeySource(fakeOtpOnPath("fails", OTP_A, 1)).loadOrCreate(tmp.resolve("s2")));
        assertTrue(failed.getMessage().contains("exit 1"), failed.getMessage());
        IOException garbage = assertThrows(IOException.class,
                () -> pi5.storeKeySource(fakeOtpOnPath("garbage", "secret-ish", 0)).loadOrCreate(tmp.resolve("s3")));
        assertFalse(garbage.getMessage().contains("secret-ish"), "the tool's output is never echoed");
    }

    @Test
    void theMockBoardOtherBoardsAndAPiWithoutTheToolUseThePlainKeyFile() throws Exception {
        String path = fakeOtpOnPath("bin", OTP_A, 0);
        assertSame(StoreKeySource.plainFile(), Board.of(Board.mockContext(), true, "Raspberry Pi 5 Model B").storeKeySource(path));
        assertSame(StoreKeySource.plainFile(), pi("Raspberry Pi 3 Model B Plus Rev 1.3").storeKeySource(path));
        assertSame(StoreKeySource.plainFile(), pi("Raspberry Pi 5 Model B").storeKeySource(tmp.resolve("nothing").toString()));
        Path state = tmp.resolve("plain");
        byte[] key = StoreKeySource.plainFile().loadOrCreate(state);
        assertArrayEquals(key, Files.readAllBytes(state.resolve("keystore-key/store.key")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("keystore-key/store.key"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("keystore-key"))));
    }
}
