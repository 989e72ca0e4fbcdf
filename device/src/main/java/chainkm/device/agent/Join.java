package chainkm.device.agent;

import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.keys.DeviceKeys;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.MessageFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's join (kandi2020 III.B.2): once in its life, through the first gateway of its
 * bundle that takes it, over CoAP/DTLS authenticated with its identity key. It commits to the
 * anchor of its rejoin hash chain, so that it can later prove membership to any other gateway,
 * and signs that commitment with its identity key ({@link JoinRequest}): the ledger refuses a
 * join whose commitment the device did not sign, so a copied commitment is of no use.
 */
final class Join {
    private static final Logger LOG = LoggerFactory.getLogger(Join.class);

    private Join() {}

    /** Joins unless {@code keys} already hold this device's keys; true if it joined now. */
    static boolean ifNeeded(Provisioning provisioning, Path stateDir, DeviceKeys keys, Ed25519.KeyPair identity,
                            Duration timeout) throws IOException {
        if (keys.joined()) {
            return false;
        }
        byte[] commitment = RejoinChain.anchor(RejoinSeed.loadOrCreate(stateDir));
        JoinRequest request = JoinRequest.sign(provisioning.deviceName(), commitment, identity);
        IOException last = null;
        for (Provisioning.Gateway g : provisioning.gateways()) {
            try (GatewayCoapClient c = new GatewayCoapClient(g.coap(), identity, g.signingKey(), timeout)) {
                JoinBundle bundle = JoinBundle.decode(c.join(request));
                if (bundle.gatewayId() != g.id()) {
                    throw new IOException("gateway " + g.id() + " answered as gateway " + bundle.gatewayId());
                }
                if (!Arrays.equals(bundle.commitment(), commitment)) {
                    throw new IOException("gateway " + g.id() + " joined this device with another commitment");
                }
                keys.install(bundle);
                return true;
            } catch (MessageFormatException e) {
                last = new IOException("gateway " + g.id() + " sent a malformed join bundle: " + e.getMessage());
            } catch (IOException e) {
                LOG.warn("join through gateway {} failed: {}", g.id(), e.getMessage());
                last = e;
            }
        }
        throw new IOException("could not join through any gateway", last);
    }
}
