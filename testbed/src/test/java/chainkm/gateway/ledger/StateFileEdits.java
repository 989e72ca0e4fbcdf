package chainkm.gateway.ledger;

import chainkm.protocol.crypto.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What an attacker with write access to a stopped validator's home does to its ledger state
 * file, for the testnet ITs (in the ledger's package: it uses the state's own write methods).
 */
public final class StateFileEdits {
    private StateFileEdits() {}

    /**
     * A consistent edit: loads the state, gives member {@code nodeId} another rejoin anchor and
     * saves it with a recomputed checksum and digest, so the file loads as if it were genuine.
     * Returns the member's anchor as it was.
     */
    public static byte[] replaceAnchorConsistently(Path ledgerDir, int nodeId) throws IOException {
        StateStore store = new StateStore(ledgerDir);
        LedgerState state = store.load();
        NodeRecord m = state.member(nodeId).orElseThrow(() -> new IllegalArgumentException("no member " + nodeId));
        state.replaceMember(m.rejoined(Sha256.hash(m.secretCodeHash()), m.attachedGateway()));
        store.save(state);
        store.load(); // it reads back: nothing at start can tell
        return m.secretCodeHash();
    }

    /**
     * A naive edit that knows only that the file ends with a SHA-256 of the rest: flips one bit of
     * member {@code nodeId}'s anchor where the file holds it and recomputes that checksum.
     */
    public static void flipAnchorBit(Path ledgerDir, int nodeId) throws IOException {
        StateStore store = new StateStore(ledgerDir);
        byte[] anchor = store.load().member(nodeId).orElseThrow().secretCodeHash();
        byte[] file = Files.readAllBytes(store.file());
        int at = indexOf(file, anchor);
        file[at + 7] ^= 0x10;
        int body = file.length - Sha256.SIZE;
        System.arraycopy(Sha256.hash(Arrays.copyOf(file, body)), 0, file, body, Sha256.SIZE);
        Files.write(store.file(), file);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalStateException("the anchor is not in the state file");
    }
}
