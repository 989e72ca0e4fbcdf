package chainkm.gateway.ledger;

import static chainkm.gateway.fuzz.DecoderContract.decode;
import static chainkm.gateway.fuzz.DecoderContract.sameBytes;

import ch.qos.logback.classic.Level;
import chainkm.gateway.fuzz.Scratch;
import chainkm.gateway.fuzz.Seed;
import chainkm.protocol.crypto.Sha256;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The gateway's ledger state file as {@link StateStore#load} reads it at start: the state or an
 * IOException naming the file, whatever the file holds. The target appends the SHA-256 the file
 * ends with, so that its content is read, not only its checksum.
 */
public class StateFileFuzzTest {
    private static final Path DIR = Scratch.directory("state-file");
    private static final StateStore STORE = new StateStore(DIR);

    static {
        if (Scratch.fuzzing()) {
            // a refused file is logged: once per input would drown the fuzzer's output (a fuzzing run has only this test)
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(StateStore.class)).setLevel(Level.OFF);
        }
    }

    @Timeout(10)
    @FuzzTest
    void stateFile(byte[] body) throws IOException {
        Files.write(STORE.file(), withChecksum(body));
        decode(IOException.class, STORE::load).ifPresent(state -> {
            byte[] file = state.encode();
            LedgerState again = decode(IllegalArgumentException.class, () -> LedgerState.decode(file))
                    .orElseThrow(() -> new AssertionError("a state read from a file does not read back once saved"));
            sameBytes("ledger state", file, again.encode());
            if (!Arrays.equals(state.stateDigest(), again.stateDigest())) {
                throw new AssertionError("the state digest changed when the state was saved and read back");
            }
        });
    }

    private static byte[] withChecksum(byte[] body) {
        byte[] file = Arrays.copyOf(body, body.length + Sha256.SIZE);
        System.arraycopy(Sha256.hash(body), 0, file, body.length, Sha256.SIZE);
        return file;
    }

    /** The fuzz ledger's state after its blocks, and a new chain's, without their checksum. */
    public static List<Seed> seeds() {
        byte[] state = FuzzLedger.get().state().encode();
        byte[] empty = LedgerState.empty().encode();
        return List.of(new Seed(StateFileFuzzTest.class, "stateFile", "devices-policy-token",
                        Arrays.copyOf(state, state.length - Sha256.SIZE)),
                new Seed(StateFileFuzzTest.class, "stateFile", "empty", Arrays.copyOf(empty, empty.length - Sha256.SIZE)));
    }
}
