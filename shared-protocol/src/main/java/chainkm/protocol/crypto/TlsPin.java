package chainkm.protocol.crypto;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS server pinned by the SHA-256 of its certificate's SubjectPublicKeyInfo (DER), as in
 * RFC 7469: {@code openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum}.
 * Pinning the key rather than the certificate lets a gateway re-issue its certificate (new
 * validity, other host names) with the same key without a change to genesis or to bundles.
 *
 * <p>The client context trusts exactly the pinned key: no CA, no host name, no validity dates.
 * The handshake proves that the server holds the private key of the certificate it shows, so
 * a matching key is the whole identity; the host name a device dials comes from its bundle
 * next to the pin, and a Raspberry Pi has no real-time clock, so a date check could lock a
 * device out at boot.
 */
public final class TlsPin {
    private final byte[] sha256;

    private TlsPin(byte[] sha256) {
        this.sha256 = sha256;
    }

    /** A pin from its 32 bytes. */
    public static TlsPin of(byte[] spkiSha256) {
        Objects.requireNonNull(spkiSha256, "spkiSha256");
        if (spkiSha256.length != Sha256.SIZE) {
            throw new IllegalArgumentException("a TLS pin is a SHA-256: 32 bytes, not " + spkiSha256.length);
        }
        return new TlsPin(spkiSha256.clone());
    }

    /** The pin of a public key (the SHA-256 of its X.509 SubjectPublicKeyInfo encoding). */
    public static TlsPin ofKey(PublicKey key) {
        return new TlsPin(Sha256.hash(key.getEncoded()));
    }

    /** A pin from 64 hex digits, as genesis and bundles write it. */
    public static TlsPin fromHex(String hex) {
        if (hex == null || hex.length() != 2 * Sha256.SIZE) {
            throw new IllegalArgumentException("a TLS pin is 64 hex digits (SHA-256 of the SubjectPublicKeyInfo)");
        }
        return of(Hex.decode(hex));
    }

    public String hex() {
        return Hex.encode(sha256);
    }

    public byte[] bytes() {
        return sha256.clone();
    }

    /** True if {@code certificate} carries the pinned key (compared in constant time). */
    public boolean matches(X509Certificate certificate) {
        return MessageDigest.isEqual(sha256, Sha256.hash(certificate.getPublicKey().getEncoded()));
    }

    /** A TLS client context that completes a handshake only with a server holding the pinned key. */
    public SSLContext clientContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new PinnedTrustManager(this)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always has TLS", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsPin p && Arrays.equals(sha256, p.sha256);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return "sha256/" + hex();
    }

    /**
     * Accepts a server chain whose first certificate carries the pinned key, refuses every client.
     * An extended trust manager, so that JSSE does not wrap it with its own host-name check.
     */
    static final class PinnedTrustManager extends X509ExtendedTrustManager {
        private final TlsPin pin;

        PinnedTrustManager(TlsPin pin) {
            this.pin = pin;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            if (!pin.matches(chain[0])) {
                throw new CertificateException("the server's key is not the pinned one (" + pin + ")");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a pinned client context trusts no client");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
