package chainkm.cli;

import chainkm.gateway.GatewayKey;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "remove-gateway", mixinStandardHelpOptions = true,
        description = {"Remove a gateway from the consortium (a dead or compromised one): a REMOVE_GATEWAY "
                + "transaction co-signed by more than two thirds of the consortium (the removed gateway not counting), "
                + "signed here with the gateway keys of the testnet directory and committed through --via.",
                "On commit its validator leaves the CometBFT validator set (power 0), its later transactions are "
                + "refused (code 2, UNKNOWN_GATEWAY), and the next gateway by id adopts its sets and renews their keys "
                + "(one key operation). Its devices should have rejoined other gateways already (they do so by "
                + "themselves when it stops answering).",
                "Prints {\"removed\": N, \"via\": M, \"height\": H, \"code\": C, \"log\": ...}; exit code 1 if refused."})
public final class RemoveGatewayCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "The testnet's directory (it holds every gateway's key).")
    Path dir;

    @Option(names = "--gateway", required = true, description = "Id of the gateway to remove.")
    int gateway;

    @Option(names = "--via", defaultValue = "0",
            description = "Gateway whose CometBFT receives the transaction (default: the first other gateway).")
    int via;

    @Override
    public Integer call() throws Exception {
        TestnetLayout layout = TestnetLayout.load(dir);
        layout.gateway(gateway); // fails for an unknown id
        int submitter = via != 0 ? via : layout.gateways().stream().mapToInt(TestnetLayout.Gateway::id)
                .filter(id -> id != gateway).findFirst().orElseThrow(() -> new IllegalArgumentException(
                        "the last gateway cannot be removed"));
        if (submitter == gateway) {
            throw new IllegalArgumentException("--via must be another gateway than the one removed");
        }
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        List<Cosignatures.Cosignature> cosigs = new ArrayList<>();
        for (TestnetLayout.Gateway g : layout.gateways()) {
            if (g.id() != gateway && g.id() != submitter) {
                cosigs.add(GatewayRemoval.cosign(g.id(), key(layout, g.id()), gateway, nonce));
            }
        }
        byte[] tx = LedgerTx.sign(new ChangeRecord(Operation.REMOVE_GATEWAY, gateway, 0, new byte[ChangeRecord.HASH_SIZE],
                nonce), submitter, Cosignatures.extension(cosigs), key(layout, submitter)).encode();
        System.err.println("remove-gateway: " + (cosigs.size() + 1) + " of " + layout.gateways().size()
                + " gateways signed; committing through gateway " + submitter);
        CometRpc.CommitResult r = new CometRpc(layout.gateway(submitter).rpcPort(), java.time.Duration.ofSeconds(60))
                .broadcastTxCommit(tx);
        int code = r.checkTxCode() != 0 ? r.checkTxCode() : r.txResultCode();
        String log = r.checkTxCode() != 0 ? r.checkTxLog() : r.txResultLog();
        System.out.println("{\"removed\":" + gateway + ",\"via\":" + submitter + ",\"height\":" + r.height() + ",\"code\":"
                + code + ",\"log\":\"" + log.replace("\\", "/").replace("\"", "'") + "\"}");
        return r.isOk() ? 0 : 1;
    }

    private Ed25519.KeyPair key(TestnetLayout layout, int id) throws java.io.IOException {
        return GatewayKey.load(GatewayHome.at(dir.resolve(layout.gateway(id).home())).gatewayKey());
    }
}
