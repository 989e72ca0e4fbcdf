package chainkm.device.agent;

import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.coap.GatewayResponseException;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.IdentityActivation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First boot, before the join: the device puts its own identity key on the ledger in place of
 * the bundle's one-time enrollment key ({@code POST /activate} with an {@link IdentityActivation}
 * signed by both keys, in a DTLS session authenticated with the enrollment key), through the
 * first gateway of its bundle that takes it. A 2.04 is recorded in {@code <state>/activated}
 * (written atomically); from then on only the identity key is used.
 *
 * <p>Crash-safe: the identity key is on disk before it is sent anywhere, so a retry presents the
 * same key. If the ACTIVATE was committed but the device crashed before writing its marker, the
 * enrollment key no longer opens a session; the device then proves it is done by completing a
 * handshake with its identity key, which a gateway accepts only for a key the ledger holds.
 */
final class Activation {
    private static final Logger LOG = LoggerFactory.getLogger(Activation.class);
    static final String MARKER = "activated";

    private Activation() {}

    static boolean recorded(Path stateDir) {
        return Files.exists(stateDir.resolve(MARKER));
    }

    /**
     * Activates unless already recorded; true if it activated now.
     * @param identityIsNew true if the identity key was made at this start (no earlier attempt can have used it)
     */
    static boolean ifNeeded(Provisioning provisioning, Path stateDir, Ed25519.KeyPair identity, boolean identityIsNew,
                            Duration timeout) throws IOException {
        if (recorded(stateDir)) {
            return false;
        }
        String name = provisioning.deviceName();
        Optional<Ed25519.KeyPair> enrollment = provisioning.enrollmentKey();
        IOException last = null;
        if (enrollment.isPresent()) {
            IdentityActivation activation = IdentityActivation.sign(name, enrollment.get(), identity);
            for (Provisioning.Gateway g : provisioning.gateways()) {
                try (GatewayCoapClient c = new GatewayCoapClient(g.coap(), enrollment.get(), g.signingKey(), timeout)) {
                    c.activate(activation);
                    record(stateDir, "gateway " + g.id());
                    LOG.info("device {} activated its identity key through gateway {}", name, g.id());
                    return true;
                } catch (IOException e) {
                    LOG.warn("activation through gateway {} failed: {}", g.id(), e.getMessage());
                    last = e;
                }
            }
        } else if (identityIsNew) {
            throw new IOException("device " + name + " was never activated and its bundle holds no enrollment key: "
                    + "provision the device again with bin/chainkm provision");
        }
        if (!identityIsNew && alreadyActive(provisioning, stateDir, identity, timeout)) {
            return true;
        }
        throw new IOException("device " + name + " could not activate its identity through any gateway", last);
    }

    /** True if a gateway completes a DTLS handshake with the identity key: the ledger holds it. */
    private static boolean alreadyActive(Provisioning provisioning, Path stateDir, Ed25519.KeyPair identity,
                                         Duration timeout) throws IOException {
        for (Provisioning.Gateway g : provisioning.gateways()) {
            try (GatewayCoapClient c = new GatewayCoapClient(g.coap(), identity, g.signingKey(), timeout)) {
                c.setOf(0);
            } catch (GatewayResponseException answered) {
                // an answer of any kind means the handshake with the identity key succeeded
            } catch (IOException e) {
                LOG.info("gateway {} does not accept the identity key yet: {}", g.id(), e.getMessage());
                continue;
            }
            record(stateDir, "gateway " + g.id() + " accepts the identity key");
            LOG.info("device {}: gateway {} accepts its identity key: its activation was committed before a restart",
                    provisioning.deviceName(), g.id());
            return true;
        }
        return false;
    }

    private static void record(Path stateDir, String how) throws IOException {
        SecretFiles.writeAtomically(stateDir.resolve(MARKER), ("activated: " + how + "\n").getBytes(StandardCharsets.US_ASCII));
    }
}
