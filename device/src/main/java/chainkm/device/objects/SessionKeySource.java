package chainkm.device.objects;

import java.util.Optional;

/**
 * Where the device takes the current group session of a protected resource: the session j and
 * K_j its home gateway's key server gave it, kept current from the group's broadcasts. Empty while
 * the device has no key for that resource: it then publishes nothing.
 */
@FunctionalInterface
public interface SessionKeySource {
    /** No key for any resource (a device whose group keys are not set up). */
    SessionKeySource NONE = path -> Optional.empty();

    Optional<SessionKey> current(String path);
}
