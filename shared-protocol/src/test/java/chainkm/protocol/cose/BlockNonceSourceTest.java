package chainkm.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlockNonceSourceTest {
    /** What a device's key store keeps on disk: the high-water mark of reserved numbers. */
    private static final class DurableMark implements BlockNonceSource.Reservation {
        long mark;
        int writes;

        @Override
        public long reserve(int count) {
            long first = mark;
            mark = first + count; // written (and fsync'd) before the block is handed out
            writes++;
            return first;
        }
    }

    @Test
    void oneDurableWritePerBlock() {
        DurableMark disk = new DurableMark();
        NonceSource nonces = new BlockNonceSource(disk, 64);
        for (long expected = 0; expected < 200; expected++) {
            assertEquals(expected, nonces.next());
        }
        assertEquals(4, disk.writes);
        assertEquals(256, disk.mark);
    }

    @Test
    void neverRepeatsAcrossReboots() {
        DurableMark disk = new DurableMark();
        Random random = new Random(14);
        Set<Long> used = new HashSet<>();
        long previous = -1;
        for (int boot = 0; boot < 20; boot++) {
            NonceSource nonces = new BlockNonceSource(disk, 16); // the process starts again from the disk alone
            int objects = random.nextInt(40);
            for (int i = 0; i < objects; i++) {
                long s = nonces.next();
                assertTrue(used.add(s), "number " + s + " handed out twice");
                assertTrue(s > previous, "numbers only grow, across reboots too");
                previous = s;
            }
        }
    }

    @Test
    void aFailedReservationHandsOutNothing() {
        NonceSource nonces = new BlockNonceSource(count -> {
            throw new IllegalStateException("disk full");
        }, 8);
        assertThrows(IllegalStateException.class, nonces::next);
    }

    @Test
    void refusesNumbersPastTheLastSequenceNumber() {
        BlockNonceSource nearEnd = new BlockNonceSource(count -> ProtectedObject.MAX_SEQUENCE - 3, 4);
        for (int i = 0; i < 4; i++) {
            nearEnd.next();
        }
        BlockNonceSource past = new BlockNonceSource(count -> ProtectedObject.MAX_SEQUENCE - 2, 4);
        assertThrows(IllegalStateException.class, past::next);
        assertThrows(IllegalStateException.class, () -> new BlockNonceSource(count -> -1, 4).next());
        assertThrows(IllegalArgumentException.class, () -> new BlockNonceSource(count -> 0, 0));
    }
}
