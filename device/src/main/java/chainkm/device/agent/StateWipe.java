package chainkm.device.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Wipes a device's secrets from its state directory after it left the network: the key store,
 * its key, the identity key (spent on the ledger by the leave) and the rejoin seed are
 * overwritten with zeros, synced and deleted, and the activation marker goes with them (what flash wear levelling
 * keeps is out of reach, but nothing readable through the file system remains).
 */
final class StateWipe {
    /** The files that hold secrets, and what goes with them. */
    static final List<String> FILES = List.of("keys.store", "keys.store.tmp", "keys.store.lock", RejoinSeed.FILE,
            RejoinSeed.NEXT_FILE, RejoinLinks.FILE, Attachment.FILE, IdentityKey.FILE, StoreKey.FILE, Activation.MARKER);

    private StateWipe() {
    }

    static void wipe(Path stateDir) throws IOException {
        for (String name : FILES) {
            Path f = stateDir.resolve(name);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                long size = ch.size();
                ByteBuffer zeros = ByteBuffer.allocate(4096);
                for (long at = 0; at < size; at += zeros.capacity()) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                    while (zeros.hasRemaining()) {
                        ch.write(zeros, at + zeros.position());
                    }
                }
                ch.force(true);
            }
            Files.delete(f);
        }
    }
}
