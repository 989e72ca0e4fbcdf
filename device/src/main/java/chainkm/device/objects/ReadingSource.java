package chainkm.device.objects;

import java.io.IOException;

/** Makes a reading of a protected resource: its plaintext, in the format the resource defines. */
@FunctionalInterface
public interface ReadingSource {
    byte[] read(String path) throws IOException;
}
