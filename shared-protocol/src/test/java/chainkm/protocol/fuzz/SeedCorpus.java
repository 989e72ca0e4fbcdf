package chainkm.protocol.fuzz;

import static chainkm.protocol.fuzz.Samples.selected;

import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.rekey.CatchUpPayload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed corpus of each fuzz target of this module: real encodings made by {@link Samples},
 * stored where Jazzer looks for them, {@code src/test/resources/<package>/<Class>Inputs/<method>/seed-<name>}.
 * Regression runs ({@code make test}) replay them with every crash input found so far; fuzzing
 * runs start from them. {@link SeedCorpusTest} keeps the files equal to what this class makes.
 */
final class SeedCorpus {
    /** One seed file. */
    record Seed(Class<?> target, String method, String name, byte[] bytes) {
        Path path(Path testResources) {
            return testResources.resolve(target.getPackageName().replace('.', '/'))
                    .resolve(target.getSimpleName() + "Inputs").resolve(method).resolve("seed-" + name);
        }
    }

    private final List<Seed> seeds = new ArrayList<>();

    private SeedCorpus() {}

    private void add(Class<?> target, String method, String name, byte[] bytes) {
        seeds.add(new Seed(target, method, name, bytes));
    }

    static List<Seed> all() throws Exception {
        SeedCorpus c = new SeedCorpus();
        List<LedgerTx> txs = Samples.transactions();
        for (int i = 0; i < txs.size(); i++) {
            LedgerTx tx = txs.get(i);
            String name = String.format("%02d-%s", i, tx.record().operation().name().toLowerCase());
            c.add(LedgerTxFuzzTest.class, "transaction", name, tx.encode());
            if (tx.extension().length > 0) {
                c.add(LedgerTxFuzzTest.class, "extension", name,
                        selected(tx.record().operation().ordinal(), tx.extension()));
            }
        }

        c.add(AuthzFuzzTest.class, "policy", "allow-list", Samples.policy().encode());
        c.add(AuthzFuzzTest.class, "policy", "voucher-mode", Samples.voucherPolicy().encode());
        c.add(AuthzFuzzTest.class, "policyRemoval", "removal",
                chainkm.protocol.authz.PolicyRemoval.sign(Samples.OWNER, Samples.policy().id()).encode());
        c.add(AuthzFuzzTest.class, "voucher", "voucher", Samples.voucher().encode());
        c.add(AuthzFuzzTest.class, "tokenRequest", "allow-list", Samples.tokenRequest().encode());
        c.add(AuthzFuzzTest.class, "tokenRequest", "voucher", Samples.voucherTokenRequest().encode());
        c.add(AuthzFuzzTest.class, "tokenDeletion", "signed", Samples.tokenDeletion().encode());
        c.add(AuthzFuzzTest.class, "tokenDeletion", "cosigned", Samples.cosignedTokenDeletion().encode());
        c.add(AuthzFuzzTest.class, "accessToken", "token", Samples.token().encode());
        c.add(AuthzFuzzTest.class, "coseKey", "ed25519", Samples.coseKey());
        c.add(AuthzFuzzTest.class, "aif", "scope", Samples.SCOPE.encode());

        c.add(CoapPayloadsFuzzTest.class, "request", "join", selected(0, Samples.joinRequest().encode()));
        c.add(CoapPayloadsFuzzTest.class, "request", "leave", selected(1, Samples.leaveRequest().encode()));
        c.add(CoapPayloadsFuzzTest.class, "request", "rejoin", selected(2, Samples.rejoinRequest().encode()));
        c.add(CoapPayloadsFuzzTest.class, "request", "reanchor", selected(3, Samples.reanchor().encode()));
        c.add(CoapPayloadsFuzzTest.class, "joinBundle", "bundle", Samples.joinBundle().encode());
        c.add(CoapPayloadsFuzzTest.class, "catchUp", "two-messages",
                CatchUpPayload.encode(List.of(Samples.setMessage().encode(), Samples.nodeMessage().encode())));
        c.add(CoapPayloadsFuzzTest.class, "answer", "rejoin", selected(0, Samples.rejoinAnswer().encode()));
        c.add(CoapPayloadsFuzzTest.class, "answer", "mqtt", selected(1, Samples.mqttCredential().encode()));
        c.add(CoapPayloadsFuzzTest.class, "answer", "identity", selected(2, Samples.nodeIdentity().encode()));

        c.add(RekeyMessageFuzzTest.class, "message", "set", Samples.setMessage().encode());
        c.add(RekeyMessageFuzzTest.class, "message", "node-with-proof", Samples.nodeMessage().encode());
        c.add(RekeyMessageFuzzTest.class, "updates", "every-action",
                RekeyMessageFuzzTest.Frame.plaintextOf(Samples.updates()));

        c.add(D2DMessageFuzzTest.class, "packet", "node-key", Samples.d2dUnderNodeKey().encode());
        c.add(D2DMessageFuzzTest.class, "packet", "set-key-signed", Samples.d2dUnderSetKey().encode());
        return c.seeds;
    }
}
