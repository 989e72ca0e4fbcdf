package chainkm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {"Provision one device: draw a one-time enrollment key pair, have gateway --gateway (running) "
                + "ENROLL the device's name with its public half on the ledger (commit mode), and write the bundle "
                + "OUT/provisioning.properties (mode 0600; written before the enrollment is submitted, deleted if "
                + "the ledger refuses it).",
                "Bundle version 2 (a Java properties file):",
                "  bundle.version=2",
                "  device.name=NAME                      letters, digits, . _ - (1 to 64)",
                "  enrollment.key=BASE64                 the enrollment private key (32-byte Ed25519 seed): secret",
                "  gateways=1,2,...                      --gateway first, then the others in order",
                "  gateway.N.coap=HOST:PORT              its CoAP/DTLS endpoint",
                "  gateway.N.mqtt=ssl://HOST:PORT        its MQTT broker",
                "  gateway.N.mqtt_tls_sha256=HEX         pin of its broker's TLS key",
                "  gateway.N.signing_key=BASE64          its Ed25519 key: DTLS raw public key and rekey signer",
                "First boot: the device makes its own identity key (state/identity.key, never leaves the device) and "
                + "key store key (state/keystore-key/store.key), then activates the identity key on the ledger with "
                + "POST /activate in a DTLS session authenticated with the enrollment key, through the first gateway "
                + "that answers; it accepts a gateway only if it presents the signing_key of that gateway. From then on "
                + "the enrollment key opens nothing and the device deletes it from its bundle; it joins, rejoins and "
                + "leaves with its identity key. A bundle of version 1 (bootstrap PSK) is refused: provision again.",
                "Copy the bundle to the device (for a Raspberry Pi image: /boot/firmware/chainkm/provisioning.properties) "
                + "and delete your copy."})
public final class ProvisionCommand implements Callable<Integer> {
    @Option(names = "--device", required = true, description = "Device name (letters, digits, . _ -).")
    String device;

    @Option(names = "--dir", required = true, description = "The testnet or consortium directory.")
    Path dir;

    @Option(names = "--out", required = true, description = "Directory to write provisioning.properties into.")
    Path out;

    @Option(names = "--gateway", defaultValue = "1",
            description = "Gateway that enrolls the device and that it joins through first, default ${DEFAULT-VALUE}.")
    int gateway;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        Path file = out.resolve("provisioning.properties");
        if (Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists: another device's bundle? Move it away first");
        }
        Provisioner.provisionTo(dir, device, gateway, file);
        System.out.println("{\"device\":\"" + device + "\",\"bundle\":\"" + file.toAbsolutePath() + "\",\"enrolled_by\":"
                + gateway + "}");
        return 0;
    }
}
