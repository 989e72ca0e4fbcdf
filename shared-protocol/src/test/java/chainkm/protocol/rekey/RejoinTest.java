package chainkm.protocol.rekey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RejoinTest {
    @Test
    void requestAndAnswerRoundTripAtTheirFixedSizes() throws Exception {
        byte[] link = new byte[32];
        link[0] = 7;
        Rejoin.Request r = new Rejoin.Request(42, 1234L, link);
        byte[] wire = r.encode();
        assertEquals(44, wire.length);
        assertEquals("0000002a00000000000004d207", HexFormat.of().formatHex(wire, 0, 13));
        Rejoin.Request back = Rejoin.Request.decode(wire);
        assertEquals(42, back.nodeId());
        assertEquals(1234L, back.seq());
        assertArrayEquals(link, back.link());

        byte[] key = new byte[16];
        key[15] = 9;
        Rejoin.Answer a = Rejoin.Answer.decode(new Rejoin.Answer(3, 42, key).encode());
        assertEquals(3, a.gatewayId());
        assertEquals(42, a.nodeId());
        assertArrayEquals(key, a.attachmentKey());
        assertFalse(a.toString().contains("9"), "no key bytes in toString");
    }

    @Test
    void malformedRequestsAreRefused() {
        assertThrows(MessageFormatException.class, () -> Rejoin.Request.decode(new byte[43]));
        assertThrows(MessageFormatException.class, () -> Rejoin.Request.decode(null));
        byte[] zeroNode = new byte[44];
        assertThrows(MessageFormatException.class, () -> Rejoin.Request.decode(zeroNode));
        byte[] negativeSeq = new Rejoin.Request(1, 0, new byte[32]).encode();
        negativeSeq[4] = (byte) 0x80;
        assertThrows(MessageFormatException.class, () -> Rejoin.Request.decode(negativeSeq));
        assertThrows(MessageFormatException.class, () -> Rejoin.Answer.decode(new byte[21]));
    }

    @Test
    void reanchorRoundTripsAtItsFixedSizeAndRefusesMalformedOnes() throws Exception {
        byte[] anchor = new byte[32];
        anchor[31] = 5;
        byte[] sig = new byte[64];
        sig[0] = 1;
        byte[] wire = new Rejoin.Reanchor(42, 9L, anchor, sig).encode();
        assertEquals(Rejoin.REANCHOR_SIZE, wire.length);
        assertEquals(108, wire.length);
        Rejoin.Reanchor back = Rejoin.Reanchor.decode(wire);
        assertEquals(42, back.nodeId());
        assertEquals(9L, back.seq());
        assertArrayEquals(anchor, back.newAnchor());
        assertArrayEquals(sig, back.signature());
        assertThrows(MessageFormatException.class, () -> Rejoin.Reanchor.decode(new byte[107]));
        assertThrows(MessageFormatException.class, () -> Rejoin.Reanchor.decode(new byte[108])); // node 0
        assertThrows(MessageFormatException.class, () -> Rejoin.Reanchor.decode(new Rejoin.Request(1, 0, anchor).encode()));
    }
}
