package chainkm.gateway.coap;

import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;

/**
 * The DTLS profile every gateway CoAP endpoint shares (the device endpoint and the clients'
 * endpoint): DTLS 1.2 server only, RFC 7250 raw public keys required from the peer, Ed25519 on
 * both sides with the gateway's signing key as its own raw public key, ECDHE over X25519 or
 * secp256r1, 1024-byte blocks; and how such an endpoint is assembled, started and stopped. What
 * differs stays with each server: its cipher suites, its peer-key verifier, a PSK store for peers.
 * Californium is configured in code only: nothing is read from or written to
 * {@code Californium3.properties}.
 */
final class DtlsProfile {
    /** Peer keys and the gateway's: Ed25519 only. */
    static final SignatureAndHashAlgorithm[] SIGNATURES = {SignatureAndHashAlgorithm.INTRINSIC_WITH_ED25519};
    /** ECDHE groups: X25519 first, secp256r1 for clients without it. */
    static final SupportedGroup[] CURVES = {SupportedGroup.X25519, SupportedGroup.secp256r1};
    /** CoAP block size and largest unfragmented payload: a block plus headers fits a 1500-byte MTU. */
    static final int BLOCK_SIZE = 1024;
    /** Threads for Californium's protocol stage (matching, dedup, block-wise). */
    static final int PROTOCOL_THREADS = 2;
    /** Threads that receive datagrams, and threads that run DTLS record processing. */
    static final int DTLS_RECEIVER_THREADS = 1;
    static final int DTLS_CONNECTOR_THREADS = 2;

    private DtlsProfile() {
    }

    /** The Californium configuration of a gateway endpoint offering {@code suites}, built in code from the module defaults. */
    static Configuration configuration(CipherSuite... suites) {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, PROTOCOL_THREADS);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, BLOCK_SIZE);
        config.set(CoapConfig.MAX_MESSAGE_SIZE, BLOCK_SIZE);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, suites);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED);
        config.setAsList(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, SIGNATURES);
        config.setAsList(DtlsConfig.DTLS_CURVES, CURVES);
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, DTLS_RECEIVER_THREADS);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, DTLS_CONNECTOR_THREADS);
        return config;
    }

    /**
     * The connector settings on {@code bind}: the gateway's key as raw public key, peer keys checked by
     * {@code verifier}. The caller may add more (a PSK store) before building.
     */
    static DtlsConnectorConfig.Builder connector(Configuration config, InetSocketAddress bind, Ed25519.KeyPair gatewayKey,
                                                 NewAdvancedCertificateVerifier verifier, String loggingTag) {
        return DtlsConnectorConfig.builder(config)
                .setAddress(bind)
                .setCertificateIdentityProvider(
                        new SingleCertificateProvider(gatewayKey.jcaPrivateKey(), gatewayKey.jcaPublicKey()))
                .setAdvancedCertificateVerifier(verifier)
                .setLoggingTag(loggingTag);
    }

    /**
     * A CoAP server on {@code config} whose protocol threads are named {@code threads#N}, without
     * Californium's {@code /.well-known/core}: peers have no business browsing.
     */
    static CoapServer server(Configuration config, String threads) {
        CoapServer server = new CoapServer(config);
        server.setExecutors(
                ExecutorsUtil.newScheduledThreadPool(PROTOCOL_THREADS, new NamedThreadFactory(threads + "#")),
                ExecutorsUtil.newDefaultSecondaryScheduler(threads + "-timer#"),
                false);
        Resource wellKnown = server.getRoot().getChild(".well-known");
        if (wellKnown != null) {
            server.getRoot().delete(wellKnown);
        }
        return server;
    }

    /** The pool that runs the resources, {@code count} daemon threads named {@code prefix N}. */
    static ExecutorService serviceExecutor(int count, String prefix) {
        AtomicInteger next = new AtomicInteger();
        ThreadFactory threads = runnable -> {
            Thread thread = new Thread(runnable, prefix + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return Executors.newFixedThreadPool(count, threads);
    }

    /**
     * Adds {@code endpoint} to {@code server} and starts both; on failure frees everything.
     *
     * @throws UncheckedIOException with {@code bindFailure} if the address cannot be bound
     */
    static void start(CoapServer server, CoapEndpoint endpoint, ExecutorService serviceExecutor, String bindFailure) {
        server.addEndpoint(endpoint);
        try {
            // start the endpoint first, so a bind failure is an exception and not a log line
            endpoint.start();
            server.start();
        } catch (IOException | RuntimeException e) {
            server.destroy();
            serviceExecutor.shutdownNow();
            if (e instanceof IOException io) {
                throw new UncheckedIOException(bindFailure, io);
            }
            throw (RuntimeException) e;
        }
    }

    /** Stops serving and frees the port and every thread. */
    static void stop(CoapServer server, ExecutorService serviceExecutor) {
        try {
            server.destroy();
        } finally {
            serviceExecutor.shutdownNow();
            try {
                serviceExecutor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
