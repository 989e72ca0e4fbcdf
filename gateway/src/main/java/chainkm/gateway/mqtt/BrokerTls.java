package chainkm.gateway.mqtt;

import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.TlsPin;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The TLS identity of a gateway's MQTT broker: an ECDSA P-256 key pair and a self-signed
 * certificate, made once when the gateway is created ({@code mqtt-tls.key}, 0600, and
 * {@code mqtt-tls.crt} in its home, PEM) and used by the embedded Moquette and by an external
 * Mosquitto alike. P-256 because JSSE (Moquette over Netty, Paho on devices) and OpenSSL
 * (Mosquitto, mosquitto_sub) all handle it. Devices trust it by its {@link TlsPin}, which
 * genesis lists as {@code mqtt_tls_sha256}; no CA is involved, so the certificate's names and
 * dates carry no trust (it is valid for a century so that OpenSSL clients do not refuse it).
 */
public final class BrokerTls {
    static final String CURVE = "secp256r1";
    static final String SIGNATURE = "SHA256withECDSA";
    static final Duration VALIDITY = Duration.ofDays(36_500);

    private final PrivateKey key;
    private final X509Certificate certificate;

    private BrokerTls(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    /** Makes a key pair and a self-signed certificate for {@code subject} (a CN), writes both, returns the pin. */
    public static TlsPin generate(Path keyFile, Path certificateFile, String subject) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + subject.replaceAll("[^A-Za-z0-9 ._-]", "_"));
            BigInteger serial = new BigInteger(64, new SecureRandom());
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    new JcaX509v3CertificateBuilder(name, serial, Date.from(now.minus(Duration.ofDays(1))),
                            Date.from(now.plus(VALIDITY)), name, pair.getPublic())
                            .build(new JcaContentSignerBuilder(SIGNATURE).build(pair.getPrivate())));
            GatewayHome.writeSecret(keyFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(certificateFile, pem("CERTIFICATE", certificate.getEncoded()) + "\n",
                    StandardCharsets.US_ASCII);
            return TlsPin.ofKey(certificate.getPublicKey());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make the MQTT broker's TLS certificate: " + e.getMessage(), e);
        }
    }

    /** Reads the key and certificate that {@link #generate} wrote. */
    public static BrokerTls load(Path keyFile, Path certificateFile) throws IOException {
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(
                    new PKCS8EncodedKeySpec(unpem(Files.readString(keyFile), "PRIVATE KEY")));
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(unpem(Files.readString(certificateFile), "CERTIFICATE")));
            return new BrokerTls(key, certificate);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("cannot read the MQTT broker's TLS key " + keyFile + " and certificate "
                    + certificateFile + ": " + e.getMessage(), e);
        }
    }

    /** The key devices pin. */
    public TlsPin pin() {
        return TlsPin.ofKey(certificate.getPublicKey());
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A Netty server context (JDK provider) presenting this certificate, for the embedded broker. */
    SslContext serverContext() throws SSLException {
        return SslContextBuilder.forServer(key, certificate).sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2").build();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----";
    }

    static byte[] unpem(String text, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no PEM " + type);
        }
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    }
}
