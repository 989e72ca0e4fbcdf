package chainkm.device.coap;

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
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import javax.security.auth.DestroyFailedException;
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
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

/**
 * The device's CoAP-over-DTLS client for its gateway's endpoints ({@code /join},
 * {@code /catchup}, {@code /node/<id>}, {@code /leave}, {@code /mqtt}). One DTLS 1.2 PSK session (the identity and key are
 * fixed at construction, both sides authenticate through them), one UDP socket and a couple
 * of threads, created on the first request and freed by {@link #close()}. Thread-safe.
 *
 * <p>Every call completes within the timeout given at construction, counted from the call
 * (handshake and all blocks of a block-wise transfer included), or fails with an
 * {@link IOException}: no answer in time, or a {@link GatewayResponseException} for a CoAP
 * error answer. A gateway does not answer a handshake with a wrong key or an unknown
 * identity at all (Scandium stays silent, so as not to confirm which identities exist), so
 * those end as a timeout too. Messages never carry key bytes.
 */
public final class GatewayCoapClient implements AutoCloseable {
    /** Same suites as the gateway: PSK only, RFC 7925's mandatory one first. */
    static final CipherSuite[] CIPHER_SUITES = {
        CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
    };
    /** CoAP block size and largest unfragmented payload (as the gateway). */
    static final int BLOCK_SIZE = 1024;
    /** Largest response body accepted (a catch-up), kept small for a Pi with a 32 MB heap. */
    static final int MAX_BODY_SIZE = 2 * 1024 * 1024;

    private final InetSocketAddress gateway;
    private final String pskIdentity;
    private final Duration timeout;
    private AdvancedSinglePskStore pskStore;
    private CoapEndpoint endpoint;
    private boolean closed;

    /**
     * @param gateway the gateway's CoAP/DTLS address
     * @param pskIdentity the DTLS PSK identity ({@code boot-...} before joining, {@code node-<id>} after)
     * @param psk the pre-shared key; copied, the caller may wipe its array
     * @param timeout the longest any one call may take
     */
    public GatewayCoapClient(InetSocketAddress gateway, String pskIdentity, byte[] psk, Duration timeout) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.pskIdentity = Objects.requireNonNull(pskIdentity, "pskIdentity");
        Objects.requireNonNull(psk, "psk");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (pskIdentity.isEmpty()) {
            throw new IllegalArgumentException("empty PSK identity");
        }
        if (psk.length == 0) {
            throw new IllegalArgumentException("empty PSK");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.pskStore = new AdvancedSinglePskStore(pskIdentity, psk);
    }

    /** {@code POST /join}: the join bundle. Only for a bootstrap identity. */
    public byte[] join(byte[] commitment) throws IOException {
        Request request = Request.newPost();
        request.getOptions().setUriPath("join");
        request.setPayload(commitment);
        return expect(send(request, "POST /join"), ResponseCode.CHANGED, "POST /join").getPayload();
    }

    /** {@code POST /rejoin}: the encoded rejoin answer. Only for a bootstrap identity. */
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
     * {@code POST /leave} with this node's id: the gateway submits the LEAVE and answers once it
     * is committed; returns the commit height. Only for this client's own {@code node-<id>}.
     */
    public long leave(int nodeId) throws IOException {
        Request request = Request.newPost();
        request.getOptions().setUriPath("leave");
        request.setPayload(ByteBuffer.allocate(Integer.BYTES).putInt(nodeId).array());
        String answer = expect(send(request, "POST /leave"), ResponseCode.CHANGED, "POST /leave").getPayloadString();
        try {
            return Long.parseLong(answer.trim());
        } catch (NumberFormatException e) {
            throw new IOException("malformed answer to POST /leave: " + printable(answer));
        }
    }

    /**
     * {@code GET /mqtt}: this device's own credential on the gateway's MQTT broker, handed out
     * inside this DTLS session for the node it authenticated as. Only for a {@code node-<id>} identity.
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

    /** Frees the socket and threads and destroys the key; later calls fail. */
    @Override
    public synchronized void close() {
        closed = true;
        if (endpoint != null) {
            endpoint.destroy();
            endpoint = null;
        }
        if (pskStore != null) {
            try {
                pskStore.destroy();
            } catch (DestroyFailedException e) {
                // best effort: the key is unreachable from here on anyway
            }
            pskStore = null;
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
        String where = what + " to gateway " + gateway + " as '" + pskIdentity + "'";
        if (error != null) {
            // Scandium's handshake failures (alerts) name the failure, never the key
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
        // a gateway stays silent on a wrong key or an unknown identity (it does not confirm which
        // identities exist), so a refused handshake looks like an unreachable gateway
        throw new IOException(where + ": no response within " + timeout.toMillis()
                + " ms (gateway unreachable, or DTLS handshake refused: wrong key or unknown identity)");
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
                    .setAdvancedPskStore(pskStore)
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
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4);
        return config;
    }
}
