package chainkm.device.coap;

import chainkm.protocol.groupkey.DeviceGroupGrant;
import chainkm.protocol.groupkey.GroupKeyFormatException;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.d2d.NodeIdentity;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import chainkm.protocol.rekey.CatchUpPayload;
import chainkm.protocol.rekey.MessageFormatException;
import chainkm.protocol.rekey.MqttCredential;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

/**
 * The device's CoAP-over-DTLS client for its gateway's endpoints ({@code /join},
 * {@code /activate}, {@code /catchup}, {@code /node/<id>}, {@code /identity/<id>}, {@code /leave}, {@code /rejoin},
 * {@code /mqtt}, {@code /objects/<path>}). One DTLS 1.2 session with raw public keys (RFC 7250), both sides Ed25519: the
 * device presents its own key (its identity key, or before activation its enrollment key), and
 * accepts the gateway only if the gateway presents exactly the key its bundle holds for that
 * gateway ({@link GatewayKeyVerifier}). One UDP socket and a couple of threads, created on the
 * first request and freed by {@link #close()}. Thread-safe.
 *
 * <p>Every call completes within the timeout given at construction, counted from the call
 * (handshake and all blocks of a block-wise transfer included), or fails with an
 * {@link IOException}: no answer in time, or a {@link GatewayResponseException} for a CoAP
 * error answer. A gateway that refuses the device's key may end the handshake with an alert or
 * stay silent, so that ends as a handshake error or a timeout. Messages name at most the first
 * 8 hex digits of a public key, never private key bytes.
 */
public final class GatewayCoapClient implements AutoCloseable {
    /**
     * RFC 7925's mandatory certificate suite; with Ed25519 keys "ECDSA" covers EdDSA in Scandium.
     * Key exchange over X25519 (or secp256r1), signatures Ed25519: deterministic, so signing
     * needs no good random source on a Pi, and 32-byte keys are the ledger's own format.
     */
    static final CipherSuite[] CIPHER_SUITES = {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8};
    /** CoAP block size and largest unfragmented payload (as the gateway). */
    static final int BLOCK_SIZE = 1024;
    /** Largest response body accepted (a catch-up), kept small for a Pi with a 32 MB heap. */
    static final int MAX_BODY_SIZE = 2 * 1024 * 1024;

    private final InetSocketAddress gateway;
    private final Ed25519.KeyPair ownKey;
    private final byte[] gatewayKey;
    private final String ownKeyPrefix;
    private final Duration timeout;
    private CoapEndpoint endpoint;
    private boolean closed;

    /**
     * @param gateway the gateway's CoAP/DTLS address
     * @param ownKey the key the device authenticates with (its identity key; its enrollment key
     *        only for {@link #activate})
     * @param gatewayKey the 32-byte Ed25519 key the bundle holds for this gateway; copied
     * @param timeout the longest any one call may take
     */
    public GatewayCoapClient(InetSocketAddress gateway, Ed25519.KeyPair ownKey, byte[] gatewayKey, Duration timeout) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.ownKey = Objects.requireNonNull(ownKey, "ownKey");
        Objects.requireNonNull(gatewayKey, "gatewayKey");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (gatewayKey.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("a gateway key is a 32-byte Ed25519 public key");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.gatewayKey = gatewayKey.clone();
        this.ownKeyPrefix = Hex.encode(ownKey.publicKey()).substring(0, 8);
    }

    /**
     * {@code POST /activate}: replaces the enrollment key with the identity key on the ledger;
     * returns once the gateway says it is committed (or was already). Only in a session
     * authenticated with the enrollment key.
     */
    public void activate(IdentityActivation activation) throws IOException {
        Request request = Request.newPost();
        request.getOptions().setUriPath("activate");
        request.setPayload(activation.encode());
        expect(send(request, "POST /activate"), ResponseCode.CHANGED, "POST /activate");
    }

    /** {@code POST /join} (version 2): the join bundle. The gateway takes the device's name from the session. */
    public byte[] join(JoinRequest join) throws IOException {
        Request request = Request.newPost();
        request.getOptions().setUriPath("join");
        request.setPayload(join.encode());
        return expect(send(request, "POST /join"), ResponseCode.CHANGED, "POST /join").getPayload();
    }

    /** {@code POST /rejoin}: the encoded rejoin answer. */
    public byte[] rejoin(byte[] request) throws IOException {
        Request r = Request.newPost();
        r.getOptions().setUriPath("rejoin");
        r.setPayload(request);
        return expect(send(r, "POST /rejoin"), ResponseCode.CHANGED, "POST /rejoin").getPayload();
    }

    /** {@code GET /catchup?after=<afterSeq>}: the rekey messages above {@code afterSeq}, in order. */
    public List<byte[]> catchUp(long afterSeq) throws IOException {
        Request request = Request.newGet();
        request.getOptions().setUriPath("catchup").addUriQuery("after=" + afterSeq);
        String what = "GET /catchup?after=" + afterSeq;
        try {
            return CatchUpPayload.decode(expect(send(request, what), ResponseCode.CONTENT, what).getPayload());
        } catch (MessageFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** {@code GET /node/<nodeId>}: the node's set, empty if the gateway says it is not a member. */
    public OptionalInt setOf(int nodeId) throws IOException {
        Request request = Request.newGet();
        request.getOptions().setUriPath("node/" + nodeId);
        String what = "GET /node/" + nodeId;
        Response response = send(request, what);
        if (response.getCode() == ResponseCode.NOT_FOUND) {
            return OptionalInt.empty();
        }
        byte[] payload = expect(response, ResponseCode.CONTENT, what).getPayload();
        if (payload.length != Integer.BYTES) {
            throw new IOException("malformed answer to " + what + ": " + payload.length + " bytes, expected 4");
        }
        return OptionalInt.of(ByteBuffer.wrap(payload).getInt());
    }

    /**
     * {@code GET /identity/<nodeId>}: the node's identity (name and Ed25519 key) as the committed
     * ledger holds it, to check that node's D2D signatures; empty if the gateway says it is not a
     * member with an active identity.
     */
    public Optional<NodeIdentity> identityOf(int nodeId) throws IOException {
        Request request = Request.newGet();
        request.getOptions().setUriPath("identity/" + nodeId);
        String what = "GET /identity/" + nodeId;
        Response response = send(request, what);
        if (response.getCode() == ResponseCode.NOT_FOUND) {
            return Optional.empty();
        }
        try {
            NodeIdentity identity = NodeIdentity.decode(expect(response, ResponseCode.CONTENT, what).getPayload());
            if (identity.node() != nodeId) {
                throw new IOException("answer to " + what + " names node " + identity.node());
            }
            return Optional.of(identity);
        } catch (MessageFormatException e) {
            throw new IOException("malformed answer to " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code POST /leave} (version 2) with this node's id and the device's signature: the gateway
     * submits the LEAVE and answers once it is committed; returns the commit height.
     */
    public long leave(LeaveRequest leave) throws IOException {
        Request request = Request.newPost();
        request.getOptions().setUriPath("leave");
        request.setPayload(leave.encode());
        String answer = expect(send(request, "POST /leave"), ResponseCode.CHANGED, "POST /leave").getPayloadString();
        try {
            return Long.parseLong(answer.trim());
        } catch (NumberFormatException e) {
            throw new IOException("malformed answer to POST /leave: " + printable(answer));
        }
    }

    /**
     * {@code GET /mqtt}: this device's own credential on the gateway's MQTT broker, handed out
     * inside this DTLS session for the identity it authenticated as. Only for a member.
     */
    public MqttCredential mqttCredential() throws IOException {
        Request request = Request.newGet();
        request.getOptions().setUriPath("mqtt");
        try {
            return MqttCredential.decode(expect(send(request, "GET /mqtt"), ResponseCode.CONTENT, "GET /mqtt").getPayload());
        } catch (MessageFormatException e) {
            throw new IOException("malformed answer to GET /mqtt: " + e.getMessage(), e);
        }
    }

    /**
     * {@code GET /group?path=P}: this device's personal secret in the group of its own resource P
     * (G = its name + P) and the session from which it holds keys, from its home gateway.
     */
    public DeviceGroupGrant groupGrant(String path) throws IOException {
        Request request = Request.newGet();
        request.getOptions().setUriPath("group");
        request.getOptions().addUriQuery("path=" + path);
        try {
            return DeviceGroupGrant.decode(expect(send(request, "GET /group"), ResponseCode.CONTENT, "GET /group")
                    .getPayload());
        } catch (GroupKeyFormatException e) {
            throw new IOException("malformed answer to GET /group: " + e.getMessage(), e);
        }
    }

    /**
     * {@code PUT /objects/<path>}: pushes the latest signed protected object of one of this
     * device's resources to the gateway's caching proxy (Content-Format 18, COSE_Sign1). The
     * gateway takes the device from this DTLS session; returns once it cached the object.
     */
    public void putObject(String path, byte[] signedObject) throws IOException {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a resource path starts with '/'");
        }
        Request request = Request.newPut();
        request.getOptions().setUriPath("objects" + path);
        request.getOptions().setContentFormat(COSE_SIGN1);
        request.setPayload(signedObject);
        String what = "PUT /objects" + path;
        expect(send(request, what), ResponseCode.CHANGED, what);
    }

    /** CoAP Content-Format of application/cose; cose-type="cose-sign1". */
    static final int COSE_SIGN1 = 18;

    /** Frees the socket and threads; later calls fail. */
    @Override
    public synchronized void close() {
        closed = true;
        if (endpoint != null) {
            endpoint.destroy();
            endpoint = null;
        }
    }

    private Response send(Request request, String what) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (gateway.isUnresolved()) {
            throw new IOException("cannot reach gateway " + gateway + ": address is unresolved");
        }
        request.setDestinationContext(new AddressEndpointContext(gateway));
        request.setMaxResourceBodySize(MAX_BODY_SIZE);
        request.send(endpoint());
        Response response;
        try {
            response = request.waitForResponse(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            request.cancel();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " to gateway " + gateway + " interrupted");
        }
        if (response != null) {
            return response;
        }
        Throwable error = request.getSendError();
        Throwable responseError = request.getOnResponseError();
        request.cancel();
        String where = what + " to gateway " + gateway + " as key " + ownKeyPrefix + "...";
        if (error != null) {
            // Scandium's handshake failures (alerts) name the failure, never a private key
            throw new IOException(where + " failed: DTLS handshake or send error: " + error.getMessage(), error);
        }
        if (responseError != null) {
            // e.g. a block-wise body larger than MAX_BODY_SIZE
            throw new IOException(where + " failed: bad response: " + responseError.getMessage(), responseError);
        }
        if (request.isCanceled() && isClosed()) {
            throw new IOException(where + " cancelled: client closed");
        }
        if (request.isRejected()) {
            throw new IOException(where + " was rejected (CoAP reset)");
        }
        // a gateway may stay silent on a key it does not know, so a refused handshake can look
        // like an unreachable gateway
        throw new IOException(where + ": no response within " + timeout.toMillis()
                + " ms (gateway unreachable, or DTLS handshake refused: unknown or revoked key)");
    }

    private static Response expect(Response response, ResponseCode expected, String what)
            throws GatewayResponseException {
        if (response.getCode() == expected) {
            return response;
        }
        ResponseCode code = response.getCode();
        String dotted = code.codeClass + "." + String.format("%02d", code.codeDetail);
        throw new GatewayResponseException(what, dotted, code.name(), printable(response.getPayloadString()));
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && i < 200; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private synchronized CoapEndpoint endpoint() throws IOException {
        if (closed) {
            throw new IOException("client closed");
        }
        if (endpoint == null) {
            Configuration config = configuration();
            DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                    .setAddress(new InetSocketAddress(0))
                    .setCertificateIdentityProvider(
                            new SingleCertificateProvider(ownKey.jcaPrivateKey(), ownKey.jcaPublicKey()))
                    .setAdvancedCertificateVerifier(new GatewayKeyVerifier(gatewayKey))
                    .setLoggingTag("[device-coaps]")
                    .build();
            CoapEndpoint created = new CoapEndpoint.Builder()
                    .setConfiguration(config)
                    .setConnector(new DTLSConnector(dtls))
                    .build();
            // without executors set, the endpoint runs on one daemon thread of its own
            try {
                created.start();
            } catch (IOException e) {
                created.destroy();
                throw new IOException("cannot open a UDP socket for CoAP/DTLS", e);
            }
            endpoint = created;
        }
        return endpoint;
    }

    /** The Californium configuration of the device endpoint, in code only (no properties file). */
    static Configuration configuration() {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        config.set(CoapConfig.MAX_ACTIVE_PEERS, 4);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, BLOCK_SIZE);
        config.set(CoapConfig.MAX_MESSAGE_SIZE, BLOCK_SIZE);
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, MAX_BODY_SIZE);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CIPHER_SUITES);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, SignatureAndHashAlgorithm.INTRINSIC_WITH_ED25519);
        config.setAsList(DtlsConfig.DTLS_CURVES, SupportedGroup.X25519, SupportedGroup.secp256r1);
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4);
        return config;
    }
}
