package chainkm.device.store;

import static chainkm.device.fuzz.DecoderContract.decode;
import static chainkm.device.fuzz.DecoderContract.sameBytes;

import chainkm.device.fuzz.Scratch;
import chainkm.device.fuzz.Seed;
import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * The device's key store file as {@link KeyStoreFile#load} reads it at every start: any bytes
 * on disk (a damaged card, another device's file), and any state inside a file that
 * authenticates under the storage key (the second target seals the fuzzed bytes as the state).
 */
public class KeyStoreFileFuzzTest {
    private static final byte[] STORAGE_KEY = filled(AesCcm.KEY_SIZE, 0x53);
    private static final byte[] NONCE = filled(AesCcm.NONCE_SIZE, 0x4e);
    private static final Path FILE = Scratch.directory("keystore").resolve("keys.store");

    @Timeout(10)
    @FuzzTest
    void file(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        decode(IOException.class, () -> KeyStoreFile.load(FILE, STORAGE_KEY).orElseThrow())
                .ifPresent(state -> sameBytes("key store file", bytes, sealed(state.encode(),
                        Arrays.copyOfRange(bytes, KeyStoreFile.MAGIC.length + 1, KeyStoreFile.HEADER_SIZE))));
    }

    /** The fuzzed bytes are the state a genuine file holds. */
    @Timeout(10)
    @FuzzTest
    void state(byte[] plaintext) throws IOException {
        if (plaintext.length > AesCcm.MAX_PLAINTEXT_SIZE) {
            return;
        }
        Files.write(FILE, sealed(plaintext));
        decode(IOException.class, () -> KeyStoreFile.load(FILE, STORAGE_KEY).orElseThrow()).ifPresent(state -> {
            sameBytes("key store state", plaintext, state.encode());
            state.ids().forEach(id -> state.get(id).orElseThrow());
        });
    }

    /** A file as {@link KeyStoreFile#save} writes it, with a fixed nonce. */
    private static byte[] sealed(byte[] plaintext) {
        return sealed(plaintext, NONCE);
    }

    private static byte[] sealed(byte[] plaintext, byte[] nonce) {
        byte[] header = new byte[KeyStoreFile.HEADER_SIZE];
        System.arraycopy(KeyStoreFile.MAGIC, 0, header, 0, KeyStoreFile.MAGIC.length);
        header[KeyStoreFile.MAGIC.length] = (byte) KeyStoreFile.VERSION;
        System.arraycopy(nonce, 0, header, KeyStoreFile.MAGIC.length + 1, nonce.length);
        byte[] ct = AesCcm.seal(STORAGE_KEY, nonce, header, plaintext);
        byte[] file = Arrays.copyOf(header, header.length + ct.length);
        System.arraycopy(ct, 0, file, header.length, ct.length);
        return file;
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    public static List<Seed> seeds() {
        KeyStoreState s = KeyStoreState.empty();
        s.setSeq(42);
        s.put(new KeyMaterial(KeyId.nodeKey(101), filled(16, 1), 3));
        s.put(new KeyMaterial(KeyId.setKey(1), filled(16, 2), 40));
        s.put(new KeyMaterial(KeyId.pairwiseNodeKey(101, 102), filled(16, 3), 41));
        s.put(new KeyMaterial(KeyId.pairwiseSetKey(1, 2), filled(16, 4), 42));
        s.setCounter("d2d.counter", 77);
        s.setCounter("rekey.epoch", 5);
        byte[] state = s.encode();
        byte[] empty = KeyStoreState.empty().encode();
        return List.of(new Seed(KeyStoreFileFuzzTest.class, "file", "store", sealed(state)),
                new Seed(KeyStoreFileFuzzTest.class, "file", "empty", sealed(empty)),
                new Seed(KeyStoreFileFuzzTest.class, "state", "keys-and-counters", state),
                new Seed(KeyStoreFileFuzzTest.class, "state", "empty", empty));
    }
}
