package chainkm.gateway.keyserver;

import java.io.IOException;

/**
 * The group manager's side of a group key scheme (IoTChain's key server plays the group manager):
 * the personal secret S_i of the member that holds token {@code cti} in {@code group}, which the
 * member uses to recover the group's session keys. Only the home gateway of the group's device
 * answers this. Part 2's self-healing scheme implements it with its own personal secrets.
 */
public interface MemberSecrets {
    /**
     * The personal secret of the member holding token {@code cti} in {@code group} ({@code <device><path>}).
     *
     * @throws IOException if the group's secrets cannot be read or made now
     */
    MemberSecret personalSecret(String group, byte[] cti) throws IOException;
}
