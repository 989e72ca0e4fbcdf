package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentControlTest {
    @TempDir
    Path state;

    @Test
    void linesAreBounded() throws Exception {
        assertEquals("abc status", AgentControl.readLine(new ByteArrayInputStream("abc status\nrest".getBytes())));
        assertEquals("", AgentControl.readLine(new ByteArrayInputStream(new byte[0])));
        byte[] exact = new byte[AgentControl.MAX_LINE];
        Arrays.fill(exact, (byte) 'a');
        assertEquals(AgentControl.MAX_LINE, AgentControl.readLine(new ByteArrayInputStream(exact)).length());
        byte[] tooLong = new byte[AgentControl.MAX_LINE + 1];
        Arrays.fill(tooLong, (byte) 'a');
        assertNull(AgentControl.readLine(new ByteArrayInputStream(tooLong)));
    }

    @Test
    void aMegabyteLineWithoutNewlineIsRefusedTheConnectionClosedAndTheChannelStillServes() throws Exception {
        try (AgentControl control = AgentControl.open(null, state)) { // a bad token never reaches the agent
            int port = Integer.parseInt(Files.readString(state.resolve(AgentControl.FILE)).trim().split(" ")[0]);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'x');
                boolean cutOff = false;
                try {
                    for (int i = 0; i < 16; i++) { // 1 MB, no newline
                        out.write(chunk);
                    }
                    out.flush();
                } catch (SocketException e) {
                    cutOff = true; // the agent closed it while we were still writing
                }
                if (!cutOff) {
                    InputStream in = s.getInputStream();
                    try {
                        assertEquals(-1, in.read(), "no answer, the connection is closed");
                    } catch (SocketException e) {
                        // reset: closed with unread bytes, as good
                    }
                }
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("not-the-token status\n".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(answer.contains("bad token"), "the channel still answers: " + answer);
            }
        }
    }
}
