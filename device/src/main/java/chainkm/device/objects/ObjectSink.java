package chainkm.device.objects;

import java.io.IOException;

/** Where a newly signed object goes: the proxy of the device's gateway ({@code PUT /objects/<path>}). */
@FunctionalInterface
public interface ObjectSink {
    void push(String path, byte[] signedObject) throws IOException;
}
