package chainkm.device.agent;

import static chainkm.device.fuzz.DecoderContract.decode;
import static chainkm.device.fuzz.DecoderContract.sameBytes;

import ch.qos.logback.classic.Level;
import chainkm.device.fuzz.Scratch;
import chainkm.device.fuzz.Seed;
import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.Kdf;
import chainkm.protocol.keys.KeyId;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The files of a device's state directory that the agent reads back at start (besides the key
 * store): its D2D replay marks, its rejoin chain's index, its attachment, its secret key files and
 * its control file. Each reader either returns what the file holds or throws an IOException
 * naming the file: a damaged file stops the agent with a message, never with a stack trace.
 */
public class StateFilesFuzzTest {
    private static final Path DIR = Scratch.directory("state");
    private static final byte[] STORAGE_KEY = filled(AesCcm.KEY_SIZE, 0x53);
    private static final byte[] NONCE = filled(AesCcm.NONCE_SIZE, 0x4e);
    private static final byte[] SEED = filled(32, 0x5e);

    static {
        if (Scratch.fuzzing()) {
            // one warning per read of the plain store key would drown the fuzzer's output (in a fuzzing
            // run this is the only test of the JVM: regression runs keep the line, which ActivationTest reads)
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(StoreKey.class)).setLevel(Level.OFF);
        }
    }

    /** {@code replay.marks}; the target appends the CRC-32 the file ends with, so that the entries are read. */
    @Timeout(10)
    @FuzzTest
    void replayMarks(byte[] content) throws IOException {
        Files.write(DIR.resolve(ReplayWindows.FILE), withCrc(content));
        decode(IOException.class, () -> ReplayWindows.open(DIR)).ifPresent(windows -> {
            windows.size();
            // what the receiver does next with the marks it read: accept a counter, which writes them back
            decode(IOException.class, () -> windows.accept(KeyId.pairwiseNodeKey(101, 102), 9, 102, 1_000));
            decode(IOException.class, () -> ReplayWindows.open(DIR));
        });
    }

    /** {@code rejoin.index}, read when the device picks the next link of its rejoin chain. */
    @Timeout(10)
    @FuzzTest
    void rejoinIndex(byte[] content) throws IOException {
        Files.write(DIR.resolve(RejoinSeed.FILE), SEED);
        Files.write(DIR.resolve(RejoinLinks.FILE), content);
        decode(IOException.class, () -> new RejoinLinks(DIR).forGateway(2));
    }

    /** {@code attachment}: the fuzzed bytes are what a genuine file holds sealed under the storage key. */
    @Timeout(10)
    @FuzzTest
    void attachment(byte[] plaintext) throws IOException {
        if (plaintext.length > AesCcm.MAX_PLAINTEXT_SIZE) {
            return;
        }
        Files.write(DIR.resolve(Attachment.FILE), sealedAttachment(plaintext));
        decode(IOException.class, () -> Attachment.load(DIR, STORAGE_KEY).orElseThrow()).ifPresent(a -> {
            byte[] key = a.key();
            sameBytes("attachment", plaintext, ByteBuffer.allocate(2 + key.length).putShort((short) a.gatewayId())
                    .put(key).array());
        });
    }

    /** The secret key files; the first byte picks identity.key (0), the store key (1) or rejoin.seed (2). */
    @Timeout(10)
    @FuzzTest
    void keyFile(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        byte[] content = Arrays.copyOfRange(input, 1, input.length);
        switch (Byte.toUnsignedInt(input[0]) % 3) {
            case 0 -> {
                Files.write(DIR.resolve(IdentityKey.FILE), content);
                decode(IOException.class, () -> IdentityKey.loadOrCreate(DIR))
                        .ifPresent(k -> sameBytes("identity key", content, k.privateKeyBytes()));
            }
            case 1 -> {
                SecretFiles.privateDirectory(DIR.resolve(StoreKey.DIR));
                Files.write(DIR.resolve(StoreKey.FILE), content);
                decode(IOException.class, () -> StoreKey.loadOrCreate(DIR))
                        .ifPresent(k -> sameBytes("store key", content, k));
            }
            default -> {
                Files.write(DIR.resolve(RejoinSeed.FILE), content);
                decode(IOException.class, () -> RejoinSeed.loadOrCreate(DIR))
                        .ifPresent(s -> sameBytes("rejoin seed", content, s));
            }
        }
    }

    /** {@code agent.control}, which {@code bin/chainkm device ...} reads to reach a running agent. */
    @Timeout(10)
    @FuzzTest
    void controlFile(byte[] content) throws IOException {
        Files.write(DIR.resolve(AgentControl.FILE), content);
        decode(IOException.class, () -> AgentControl.endpoint(DIR));
    }

    private static byte[] withCrc(byte[] content) {
        CRC32 crc = new CRC32();
        crc.update(content);
        return ByteBuffer.allocate(content.length + 4).put(content).putInt((int) crc.getValue()).array();
    }

    private static byte[] sealedAttachment(byte[] plaintext) {
        byte[] fileKey = Kdf.derive(STORAGE_KEY, null, "chainkm/v1/attachment-file".getBytes(StandardCharsets.US_ASCII), 16);
        byte[] ct = AesCcm.seal(fileKey, NONCE, new byte[0], plaintext);
        return ByteBuffer.allocate(NONCE.length + ct.length).put(NONCE).put(ct).array();
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** Seeds written by the agent's own code, in a directory of their own. */
    public static List<Seed> seeds() throws IOException {
        Path dir = Scratch.directory("seeds");
        ReplayWindows w = ReplayWindows.open(dir);
        w.accept(KeyId.pairwiseNodeKey(101, 102), 9, 102, 5);
        w.accept(KeyId.pairwiseSetKey(1, 2), 9, 201, 70);
        byte[] marks = Files.readAllBytes(dir.resolve(ReplayWindows.FILE));

        Files.write(dir.resolve(RejoinSeed.FILE), SEED);
        new RejoinLinks(dir).forGateway(3);
        byte[] index = Files.readAllBytes(dir.resolve(RejoinLinks.FILE));

        byte[] attachment = ByteBuffer.allocate(18).putShort((short) 3).put(filled(16, 0x61)).array();
        byte[] control = "40123 00112233445566778899aabbccddeeff\n".getBytes(StandardCharsets.US_ASCII);
        return List.of(new Seed(StateFilesFuzzTest.class, "replayMarks", "two-windows",
                        Arrays.copyOf(marks, marks.length - 4)),
                new Seed(StateFilesFuzzTest.class, "rejoinIndex", "first-link", index),
                new Seed(StateFilesFuzzTest.class, "attachment", "gateway-3", attachment),
                new Seed(StateFilesFuzzTest.class, "keyFile", "identity", selected(0, filled(32, 0x49))),
                new Seed(StateFilesFuzzTest.class, "keyFile", "store", selected(1, STORAGE_KEY)),
                new Seed(StateFilesFuzzTest.class, "keyFile", "seed", selected(2, SEED)),
                new Seed(StateFilesFuzzTest.class, "controlFile", "port-and-token", control));
    }

    private static byte[] selected(int selector, byte[] rest) {
        byte[] out = new byte[rest.length + 1];
        out[0] = (byte) selector;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
