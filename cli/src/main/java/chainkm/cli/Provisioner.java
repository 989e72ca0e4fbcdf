package chainkm.cli;

import chainkm.device.agent.Provisioning;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.Credentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Makes a device's provisioning bundle from a testnet (or consortium) directory. */
public final class Provisioner {
    private Provisioner() {}

    /**
     * @param firstGateway the gateway the device joins through first (the others follow, in order)
     */
    public static Provisioning provision(Path dir, String deviceName, int firstGateway) throws IOException {
        if (!deviceName.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("device name must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        TestnetLayout layout = TestnetLayout.load(dir);
        GatewayHome anyHome = GatewayHome.at(dir.resolve(layout.gateways().get(0).home()));
        Map<Integer, TlsPin> pins = Genesis.load(anyHome.genesis()).mqttTlsPins();
        List<Provisioning.Gateway> gateways = new ArrayList<>();
        List<TestnetLayout.Gateway> ordered = new ArrayList<>(layout.gateways());
        int start = Math.max(0, ordered.indexOf(layout.gateway(firstGateway)));
        for (int i = 0; i < ordered.size(); i++) {
            TestnetLayout.Gateway g = ordered.get((start + i) % ordered.size());
            Path home = dir.resolve(g.home());
            GatewayConfig config = GatewayConfig.load(home);
            TlsPin pin = pins.get(g.id());
            if (pin == null) {
                throw new IOException("genesis has no mqtt_tls_sha256 for gateway " + g.id()
                        + ": a testnet made before MQTT ran over TLS; make it again with bin/chainkm testnet");
            }
            gateways.add(new Provisioning.Gateway(g.id(), new InetSocketAddress(config.coapHost(), config.coapPort()),
                    config.brokerUrl(), pin, GatewayKey.load(config.homeAt(home).gatewayKey()).publicKey()));
        }
        byte[] provisioningSecret = Base64.getDecoder().decode(GatewayHome.readLine(anyHome.provisioningSecret()));
        String identity = "boot-" + deviceName;
        return new Provisioning(deviceName, identity, Credentials.bootstrapPsk(provisioningSecret, identity), gateways);
    }
}
