package chainkm.gateway.keyserver;

import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.LedgerState;
import chainkm.gateway.ledger.NodeRecord;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.groupkey.DeviceMemberId;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

/** {@link TokenLedger} on this gateway's {@link LedgerApp}: every read is of the state the last Commit left. */
public final class CommittedTokens implements TokenLedger, MembershipLedger {
    private final LedgerApp ledger;
    private final Object commits = new Object();

    public CommittedTokens(LedgerApp ledger) {
        this.ledger = ledger;
        ledger.addCommitListener((height, results) -> {
            synchronized (commits) {
                commits.notifyAll();
            }
        });
    }

    @Override
    public TokenFacts facts(byte[] cti, String device) {
        return ledger.readCommitted(s -> new TokenFacts(s.height(), s.accessToken(cti), s.revokedAt(cti), s.ctiUsed(cti),
                homeGateway(s, device)));
    }

    /**
     * The gateway that manages a device's groups: the owner of its set while it is a member (the
     * gateway that holds its keys, which adoption moves when a gateway is removed), else the
     * gateway that enrolled it.
     */
    static OptionalInt homeGateway(LedgerState s, String device) {
        Optional<DeviceIdentity> identity = s.identity(device);
        if (identity.isEmpty()) {
            return OptionalInt.empty();
        }
        DeviceIdentity d = identity.get();
        Optional<NodeRecord> member = d.state() == DeviceIdentity.State.REVOKED || d.node() == 0
                ? Optional.empty() : s.member(d.node());
        if (member.isPresent() && device.equals(member.get().identity())) {
            return OptionalInt.of(s.layout().ownerOf(member.get().setId()));
        }
        return OptionalInt.of(d.enrolledBy());
    }

    @Override
    public Standing standing(String device, byte[] memberId) {
        return ledger.readCommitted(s -> {
            if (Arrays.equals(memberId, DeviceMemberId.of(device))) {
                Optional<DeviceIdentity> d = s.identity(device);
                boolean stays = d.isPresent() && d.get().state() != DeviceIdentity.State.REVOKED && d.get().node() != 0
                        && s.member(d.get().node()).map(m -> device.equals(m.identity())).orElse(false);
                return stays ? Standing.LIVE : Standing.REVOKED;
            }
            if (s.revokedAt(memberId).isPresent()) {
                return Standing.REVOKED;
            }
            Optional<AccessToken> token = s.accessToken(memberId);
            return token.isPresent() && s.height() + 1 < token.get().exp() ? Standing.LIVE : Standing.EXPIRED;
        });
    }

    @Override
    public OptionalInt homeOf(String device) {
        return ledger.readCommitted(s -> homeGateway(s, device));
    }

    @Override
    public long height() {
        return ledger.readCommitted(LedgerState::height);
    }

    @Override
    public boolean awaitHeight(long height, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (commits) {
            while (height() < height) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // a commit notifies; the bound also covers a notify between the check and the wait
                commits.wait(Math.max(1, Math.min(left / 1_000_000, 100)));
            }
        }
        return true;
    }
}
