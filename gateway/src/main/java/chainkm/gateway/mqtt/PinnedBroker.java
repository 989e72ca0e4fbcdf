package chainkm.gateway.mqtt;

import chainkm.protocol.crypto.TlsPin;
import java.io.IOException;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

/** Paho options for a broker reached over TLS and trusted by its pinned key only. */
final class PinnedBroker {
    static final String SCHEME = "ssl://";

    private PinnedBroker() {}

    /**
     * TLS with a context that trusts the pinned key alone; Paho's host-name check off, since the
     * pin, not a name, identifies the broker (see {@link TlsPin}).
     *
     * @throws IOException for a URL that is not {@code ssl://}: MQTT never runs in clear
     */
    static void configure(MqttConnectOptions options, String url, TlsPin pin) throws IOException {
        if (!url.startsWith(SCHEME)) {
            throw new IOException("MQTT runs over TLS: the broker URL must be ssl://host:port, not " + url);
        }
        options.setSocketFactory(pin.clientContext().getSocketFactory());
        options.setHttpsHostnameVerificationEnabled(false);
    }
}
