package chainkm.cli;

import chainkm.device.agent.Provisioning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {"Write one device's provisioning bundle: OUT/provisioning.properties (mode 0600) with its "
                + "bootstrap credential, the MQTT device credential and every gateway with its trust anchor.",
                "The device joins through --gateway first, then tries the others in order."})
public final class ProvisionCommand implements Callable<Integer> {
    @Option(names = "--device", required = true, description = "Device name (letters, digits, . _ -).")
    String device;

    @Option(names = "--dir", required = true, description = "The testnet or consortium directory.")
    Path dir;

    @Option(names = "--out", required = true, description = "Directory to write provisioning.properties into.")
    Path out;

    @Option(names = "--gateway", defaultValue = "1", description = "Gateway to join through first, default ${DEFAULT-VALUE}.")
    int gateway;

    @Override
    public Integer call() throws Exception {
        Provisioning p = Provisioner.provision(dir, device, gateway);
        Files.createDirectories(out);
        Path file = out.resolve("provisioning.properties");
        p.save(file);
        System.out.println("{\"device\":\"" + device + "\",\"bundle\":\"" + file.toAbsolutePath() + "\"}");
        return 0;
    }
}
