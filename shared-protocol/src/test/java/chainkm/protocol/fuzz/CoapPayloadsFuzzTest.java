package chainkm.protocol.fuzz;

import static chainkm.protocol.fuzz.DecoderContract.decode;
import static chainkm.protocol.fuzz.DecoderContract.sameBytes;

import chainkm.protocol.d2d.NodeIdentity;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import chainkm.protocol.rekey.CatchUpPayload;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.MessageFormatException;
import chainkm.protocol.rekey.MqttCredential;
import chainkm.protocol.rekey.Rejoin;
import chainkm.protocol.rekey.RekeyMessage;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/**
 * The bodies devices and gateways exchange over CoAP/DTLS: what a gateway reads from a device
 * ({@code POST /join}, {@code /leave}, {@code /rejoin}) and what a device reads from its gateway
 * (the join bundle, the catch-up, the rejoin answer, its MQTT credential, a peer's identity).
 */
class CoapPayloadsFuzzTest {
    private static final byte[] GATEWAY_KEY = Samples.GATEWAY_1.publicKey();

    /** A device's request body; the first byte picks join (0), leave (1), rejoin (2) or re-anchor (3). */
    @Timeout(10)
    @FuzzTest
    void request(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        switch (Byte.toUnsignedInt(input[0]) % 4) {
            case 0 -> decode(IdentityFormatException.class, () -> JoinRequest.decode(body)).ifPresent(r -> {
                sameBytes("join request", body, r.encode());
                r.authorization(Samples.NAME).verifiesJoin(Samples.DEVICE.publicKey(), r.commitment());
            });
            case 1 -> decode(IdentityFormatException.class, () -> LeaveRequest.decode(body)).ifPresent(r -> {
                sameBytes("leave request", body, r.encode());
                r.authorization(Samples.NAME).verifiesLeave(Samples.DEVICE.publicKey(), r.nodeId());
            });
            case 2 -> decode(MessageFormatException.class, () -> Rejoin.Request.decode(body))
                    .ifPresent(r -> sameBytes("rejoin request", body, r.encode()));
            default -> decode(MessageFormatException.class, () -> Rejoin.Reanchor.decode(body))
                    .ifPresent(r -> sameBytes("re-anchor", body, r.encode()));
        }
    }

    /** The answer to {@code POST /join}: the newcomer's identity and keys. */
    @Timeout(10)
    @FuzzTest
    void joinBundle(byte[] bytes) {
        decode(MessageFormatException.class, () -> JoinBundle.decode(bytes)).ifPresent(b -> {
            sameBytes("join bundle", bytes, b.encode());
            b.toString();
        });
    }

    /** The answer to {@code GET /catchup}: rekey messages, each then decoded and checked as the device does. */
    @Timeout(10)
    @FuzzTest
    void catchUp(byte[] bytes) {
        decode(MessageFormatException.class, () -> CatchUpPayload.decode(bytes)).ifPresent(messages -> {
            sameBytes("catch-up payload", bytes, CatchUpPayload.encode(messages));
            for (byte[] m : messages) {
                decode(MessageFormatException.class, () -> RekeyMessage.decode(m)).ifPresent(r -> r.verify(GATEWAY_KEY));
            }
        });
    }

    /** A gateway's short answers; the first byte picks the rejoin answer (0), MQTT credential (1) or node identity (2). */
    @Timeout(10)
    @FuzzTest
    void answer(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        switch (Byte.toUnsignedInt(input[0]) % 3) {
            case 0 -> decode(MessageFormatException.class, () -> Rejoin.Answer.decode(body))
                    .ifPresent(a -> sameBytes("rejoin answer", body, a.encode()));
            case 1 -> decode(MessageFormatException.class, () -> MqttCredential.decode(body)).ifPresent(c -> {
                sameBytes("MQTT credential", body, c.encode());
                c.password();
            });
            default -> decode(MessageFormatException.class, () -> NodeIdentity.decode(body))
                    .ifPresent(n -> sameBytes("node identity", body, n.encode()));
        }
    }
}
