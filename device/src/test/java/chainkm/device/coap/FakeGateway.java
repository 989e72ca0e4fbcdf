package chainkm.device.coap;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import chainkm.protocol.rekey.CatchUpPayload;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * A stand-in for the gateway's CoAP/DTLS endpoints (the real one is in the gateway module, which
 * the device does not see): DTLS with raw public keys, the server authenticated by its gateway
 * key, clients by a key this fake's little "ledger" knows ({@link #enroll}); same paths, codes and
 * payloads as the gateway, canned answers. The real server has its own tests in the gateway module.
 */
public final class FakeGateway implements AutoCloseable {
    /** What the fake ledger knows of a device: its name and whether the key is its enrollment or identity key. */
    public record Identity(String name, boolean active) {}

    /** Raw key (hex) to identity: a handshake with any other key is refused. */
    public final Map<String, Identity> identities = new ConcurrentHashMap<>();
    /** Join bundles by device name. */
    public final Map<String, byte[]> bundles = new ConcurrentHashMap<>();
    /** The answer to a join of (name, commitment); by default the canned bundle of that name. */
    public volatile BiFunction<String, byte[], byte[]> joinAnswer = (name, commitment) -> bundles.get(name);
    public final Map<Integer, Integer> sets = new ConcurrentHashMap<>();
    public volatile List<byte[]> rekeys = List.of();
    public volatile String refusal;
    /** When set, {@code /activate} commits but the answer is lost (a crash of the device right then). */
    public volatile boolean dropActivateAnswer;
    /** "name request" for every request served, in order. */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** Client keys refused at the handshake. */
    public final AtomicInteger refusedHandshakes = new AtomicInteger();

    private final CoapServer server;
    private final DTLSConnector connector;

    public FakeGateway(Ed25519.KeyPair gatewayKey) throws IOException {
        Configuration config = GatewayCoapClient.configuration();
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        config.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED);
        connector = new DTLSConnector(DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(gatewayKey.jcaPrivateKey(),
                        gatewayKey.jcaPublicKey()))
                .setAdvancedCertificateVerifier(new KnownKeys())
                .build());
        server = new CoapServer(config);
        server.add(new Activate(), new Join(), new Leave(), new CatchUp(), new Node());
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build());
        server.start();
    }

    /** The ledger's ENROLL: the name with its enrollment public key. */
    public void enroll(String name, byte[] enrollmentKey) {
        identities.put(Hex.encode(enrollmentKey), new Identity(name, false));
    }

    /** The identity key the named device activated, if any. */
    public Optional<String> activeKeyOf(String name) {
        return identities.entrySet().stream().filter(e -> e.getValue().name().equals(name) && e.getValue().active())
                .map(Map.Entry::getKey).findFirst();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), connector.getAddress().getPort());
    }

    @Override
    public void close() {
        server.destroy();
    }

    private static byte[] peerKey(CoapExchange exchange) {
        Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
        return Ed25519.rawOf(((RawPublicKeyIdentity) peer).getKey()).orElseThrow();
    }

    /** The identity of the session's key, recorded with the request; null (and a 4.03 sent) if none. */
    private Identity identity(CoapExchange exchange, String request) {
        Identity id = identities.get(Hex.encode(peerKey(exchange)));
        requests.add((id == null ? "?" : id.name()) + " " + request);
        if (id == null) {
            exchange.respond(ResponseCode.FORBIDDEN, "unknown key");
        }
        return id;
    }

    private final class KnownKeys implements NewAdvancedCertificateVerifier {
        @Override
        public List<CertificateType> getSupportedCertificateTypes() {
            return List.of(CertificateType.RAW_PUBLIC_KEY);
        }

        @Override
        public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
                InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject, boolean truncate,
                CertificateMessage message) {
            Optional<byte[]> raw = Ed25519.rawOf(message.getPublicKey());
            if (raw.isPresent() && identities.containsKey(Hex.encode(raw.get()))) {
                return new CertificateVerificationResult(cid, message.getPublicKey(), null);
            }
            refusedHandshakes.incrementAndGet();
            return new CertificateVerificationResult(cid, new HandshakeException("unknown key",
                    new AlertMessage(AlertMessage.AlertLevel.FATAL, AlertMessage.AlertDescription.BAD_CERTIFICATE)), null);
        }

        @Override
        public List<X500Principal> getAcceptedIssuers() {
            return List.of();
        }

        @Override
        public void setResultHandler(HandshakeResultHandler resultHandler) {
        }
    }

    private final class Activate extends CoapResource {
        Activate() {
            super("activate");
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            Identity id = identity(exchange, "activate");
            if (id == null) {
                return;
            }
            IdentityActivation activation;
            try {
                activation = IdentityActivation.decode(exchange.getRequestPayload());
            } catch (IdentityFormatException e) {
                exchange.respond(ResponseCode.BAD_REQUEST, e.getMessage());
                return;
            }
            byte[] sessionKey = peerKey(exchange);
            if (id.active() || !id.name().equals(activation.name()) || !activation.verifies(sessionKey)) {
                exchange.respond(ResponseCode.FORBIDDEN, "not the enrolled key of " + activation.name());
                return;
            }
            // as the ledger: the enrollment key opens nothing from now on
            identities.remove(Hex.encode(sessionKey));
            identities.put(Hex.encode(activation.identityKey()), new Identity(id.name(), true));
            if (!dropActivateAnswer) {
                exchange.respond(ResponseCode.CHANGED);
            }
        }
    }

    private final class Join extends CoapResource {
        Join() {
            super("join");
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            Identity id = identity(exchange, "join");
            if (id == null) {
                return;
            }
            JoinRequest join;
            try {
                join = JoinRequest.decode(exchange.getRequestPayload());
            } catch (IdentityFormatException e) {
                exchange.respond(ResponseCode.BAD_REQUEST, "join v2 carries a commitment and the device's signature");
                return;
            }
            if (!join.authorization(id.name()).verifiesJoin(peerKey(exchange), join.commitment())) {
                exchange.respond(ResponseCode.FORBIDDEN, "the join is not signed by " + id.name());
            } else if (!id.active()) {
                exchange.respond(ResponseCode.FORBIDDEN, "join needs an activated identity");
            } else if (refusal != null) {
                exchange.respond(ResponseCode.SERVICE_UNAVAILABLE, refusal);
            } else {
                exchange.respond(ResponseCode.CHANGED, joinAnswer.apply(id.name(), join.commitment()),
                        MediaTypeRegistry.APPLICATION_OCTET_STREAM);
            }
        }
    }

    private final class Leave extends CoapResource {
        Leave() {
            super("leave");
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            Identity id = identity(exchange, "leave");
            if (id == null) {
                return;
            }
            try {
                LeaveRequest leave = LeaveRequest.decode(exchange.getRequestPayload());
                if (!leave.authorization(id.name()).verifiesLeave(peerKey(exchange), leave.nodeId())) {
                    exchange.respond(ResponseCode.FORBIDDEN, "the leave is not signed by " + id.name());
                } else {
                    exchange.respond(ResponseCode.CHANGED, "42");
                }
            } catch (IdentityFormatException e) {
                exchange.respond(ResponseCode.BAD_REQUEST, e.getMessage());
            }
        }
    }

    private final class CatchUp extends CoapResource {
        CatchUp() {
            super("catchup");
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            if (identity(exchange, "catchup?" + exchange.getRequestOptions().getUriQueryString()) != null) {
                exchange.respond(ResponseCode.CONTENT, CatchUpPayload.encode(rekeys),
                        MediaTypeRegistry.APPLICATION_OCTET_STREAM);
            }
        }
    }

    private final class Node extends CoapResource {
        Node() {
            super("node");
        }

        @Override
        public Resource getChild(String name) {
            return this;
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            String path = exchange.getRequestOptions().getUriPathString();
            if (identity(exchange, path) == null) {
                return;
            }
            Integer set;
            try {
                set = sets.get(Integer.parseInt(path.substring("node/".length())));
            } catch (RuntimeException e) {
                exchange.respond(ResponseCode.BAD_REQUEST, "expected /node/<decimal node id>");
                return;
            }
            if (set == null) {
                exchange.respond(ResponseCode.NOT_FOUND, "not a member");
            } else {
                exchange.respond(ResponseCode.CONTENT, ByteBuffer.allocate(4).putInt(set).array(),
                        MediaTypeRegistry.APPLICATION_OCTET_STREAM);
            }
        }
    }
}
