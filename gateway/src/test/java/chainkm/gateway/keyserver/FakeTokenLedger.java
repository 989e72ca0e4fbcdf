package chainkm.gateway.keyserver;

import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.crypto.Hex;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A committed ledger a test edits: tokens, revocations, used ctis, home gateways and the height. */
public final class FakeTokenLedger implements TokenLedger {
    public volatile long height;
    public final Map<String, AccessToken> tokens = new ConcurrentHashMap<>();
    public final Map<String, Long> revoked = new ConcurrentHashMap<>();
    public final Set<String> used = ConcurrentHashMap.newKeySet();
    public final Map<String, Integer> homes = new ConcurrentHashMap<>();

    public FakeTokenLedger(long height) {
        this.height = height;
    }

    public void grant(AccessToken token) {
        tokens.put(Hex.encode(token.cti()), token);
        used.add(Hex.encode(token.cti()));
    }

    public void revoke(byte[] cti, long at) {
        tokens.remove(Hex.encode(cti));
        revoked.put(Hex.encode(cti), at);
    }

    @Override
    public synchronized TokenFacts facts(byte[] cti, String device) {
        String k = Hex.encode(cti);
        Long r = revoked.get(k);
        Integer home = homes.get(device);
        return new TokenFacts(height, Optional.ofNullable(tokens.get(k)), r == null ? OptionalLong.empty() : OptionalLong.of(r),
                used.contains(k), home == null ? OptionalInt.empty() : OptionalInt.of(home));
    }

    @Override
    public long height() {
        return height;
    }

    @Override
    public boolean awaitHeight(long h, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (height < h) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
