package chainkm.testbed;

/** The fixed prose of summary.md: what the paper reports, what the figures mean, what limits them. */
final class BenchNotes {
    private BenchNotes() {}

    static final String PAPER = """

            ## What the paper reports (kandi2020, section V.B–C, Fig. 5)

            The paper measured Tendermint with its default timeouts (our `paper` profile), one Docker container per
            gateway on one Core i7 laptop with 4 GB, a 57-byte transaction, each value an average of "dozens of
            tests", at 1 to 10 gateways. The text copy of the paper in `shared/papers/` holds no plotted values (Fig. 5
            is an image), only these statements, which the tables below put next to our numbers:

            | figure | the paper says |
            |---|---|
            | 5a, T_k, T_e, T_a | every step grows with the number of gateways; T_a (validation: consensus) is by far the largest |
            | 5b, commit mode | "can take on the order of a second" |
            | 5b, sync mode | "significantly reduces the response time and brings it closer to that of the centralized version" (1 gateway); T_a is not in it |
            | 5c, sync mode | the share of transactions not stored at the first attempt grows with the number of gateways |

            Our transaction is 130 bytes (the 57-byte record plus version, originating gateway, extension length and
            an Ed25519 signature), and every gateway is a real JVM plus a real CometBFT v0.38 validator on loopback.
            """;

    static final String LIMITS = """
            What limits each target (see "Where the time goes" for the evidence):

            - **Commit mode** answers after the block is committed, so its floor is one consensus instance: the
              proposal and two rounds of votes between the validators, each message crossing CometBFT's p2p
              connection (`flush_throttle_timeout`, 1 ms in `fast`) and its gossip routines
              (`peer_gossip_sleep_duration`, 1 ms), then ProcessProposal, FinalizeBlock and Commit on the ABCI socket
              and the fsyncs of CometBFT's WAL and block store and of our ledger state. A transaction that reaches a
              validator that is not the next proposer must first be gossiped to it. That is T_a; T_e (build, sign,
              CheckTx) is a few ms.
            - **Sync mode** answers after CheckTx and one fsync of the gateway's journal. CometBFT's socket ABCI
              client does not hold CheckTx back: its `flushThrottleMS = 20` (`abci/client/socket_client.go`, passed
              to `timer.NewThrottleTimer(name string, dur time.Duration)`) is an untyped 20 given to a
              `time.Duration`, so 20 ns, not 20 ms; the Flush request follows a CheckTx as soon as the Go timer
              fires, and our side writes its answer as soon as its input is drained. The floor is the sum of the
              work: the RPC's HTTP round trip on loopback, building and signing the transaction (Ed25519), waiting
              for this gateway's previous CheckTx (one at a time), CheckTx itself (signature verification and
              the contracts) and the journal line's fsync (about 0.2 ms alone on the development machine's disk;
              how the rest splits is not measured yet).
            - **Throughput**: a gateway passes one transaction at a time through CheckTx (the next join's set is
              computed on the state the previous one left; that is what keeps concurrent joins free of set
              conflicts), so each gateway sustains at most one CheckTx round trip at a time, and every validator
              verifies every transaction and every gateway's key manager signs a rekey message per affected set and
              member. On 2 cores shared by the gateway JVMs, the CometBFT validators and the load generator, the CPU
              column shows when the machine, not the protocol, is the limit. Under the sustained load the two cores
              are all but saturated (the CPU line under its result), and the flight recording shows where a gateway's
              share goes: mostly its key manager, and there mostly one Ed25519 signature per rekey message (a join
              sends one to every member of the joiner's set, about √n, and one per other set of the gateway). The
              cheapest next step is in `gateway/keys`: one signature per operation over all of its messages instead
              of one per message; then pipelining CheckTx (several of a gateway's transactions in flight, each
              built on the state the previous ones will leave).
            - **Commit mode against the number of gateways**: T_a grows with every validator (each vote must reach
              two thirds of them, each hop pays up to the 1 ms gossip sleep and p2p flush, and every validator costs
              CPU on the same 2 cores). Those two settings went from 10 to 1 ms; their idle cost grows with the
              number of peers (two polling routines per peer wake every millisecond), which is what runs out first
              at 10 validators on 2 cores.
            """;

    static final String STEPS = """
            Measured inside the submitting gateway for each operation (the `timing` object of the `/submit` answer):
            **T_e** = building the transaction (set Assignment on the mempool state, secret-code hash, refresh key),
            signing it (Ed25519) and having it verified by CheckTx, including waiting for the previous CheckTx of this
            gateway; **T_a** = the rest of the time until the block holding it is committed (consensus, block execution,
            commit); **T_k** = this gateway's key manager applying the committed operation: generating or rolling the
            keys, sealing (AES-CCM) and signing (Ed25519) the rekey messages and handing them to the MQTT broker.

            Mapping to the paper: in the paper layer 1 (T_k) runs first and then calls layer 2; in chainkm the key work
            for an operation happens when its block is committed (the key state must follow the ledger, so a gateway
            never hands out keys for an operation the chain did not accept), so T_k is measured after T_a, on the key
            manager's own thread; the sum is the same equation (4). For sync mode T_r = T_k + T_e as in the paper
            (T_a not waited for); there the key work happens later, after the block, and is not in the answer time.
            Operations run one after the other (joins round-robin over the gateways, then the same nodes leave through
            the gateway they joined); sync-mode operations wait for their landing before the next starts, so T_a and
            T_k are known for them too. The CPU column is the whole machine during that run (gateways, validators and
            the bench): when it nears the number of cores, the machine is the limit.
            """;

    static final String ERRORS = """
            Why an operation needs a second transaction here: joins at different gateways never conflict (sets are
            aligned with gateways), but a transaction accepted by CheckTx can still be left out of the next block or
            refused in it when the gateway's own earlier transactions were reordered against it (PrepareProposal drops
            what the contracts refuse, a recheck after a block refuses what that block made invalid); the gateway
            then rebuilds it on the new state, with the same node id, so at most one attempt is ever applied. Nothing
            is lost either way: the bench fails if anything is. A likely source even with one gateway (not yet
            confirmed): Commit resets the mempool's state to the committed one, and CometBFT rechecks the transactions
            still in its mempool only afterwards; a join built in between does not see them and can pick a set that
            the recheck then fills. The set capacity also depends on the total number of members, so other gateways'
            joins can change which set Assignment gives. The rate depends on how many transactions share a block, so
            on the profile: the paper profile's one-second blocks hold many more.
            """;

    static final String HOT_SPOTS = """
            Reading it: `abci-*` is CometBFT calling our ledger (CheckTx, its rechecks after every block,
            PrepareProposal/ProcessProposal, FinalizeBlock, Commit with the state's fsync); `key-feed` is the key
            manager (T_k: HKDF, AES-CCM and one Ed25519 signature per rekey message); `control-http` and `submit-io`
            are the bench's requests and the RPC calls to CometBFT. The hot frames are elliptic-curve arithmetic
            (Ed25519 signing of transactions and rekey messages, verification of transactions) and hashing. The gateway
            JVMs run the full tiered compiler, C2 included, as the gateway distribution does: C2 makes that
            arithmetic about 1.6 times faster than C1 alone, and costs CPU while it compiles, for several minutes
            on 2 cores (`--gateway-c1` runs them with C1 alone, for comparison).
            """;

    static final String TIMEOUTS = """
            `paper` keeps CometBFT's defaults, as the paper measured: after a commit every validator waits
            `timeout_commit` (1 s) before the next height, and empty blocks are made continuously, so a commit-mode
            answer takes about a second whatever the load, and T_a dominates. `fast` is tuned for validators on
            loopback or one LAN: `timeout_commit` 10 ms and `skip_timeout_commit = true` (the next height starts as
            soon as every validator's precommit is in; the timeout only applies when one is slow or down), gossip and
            p2p flush at 1 ms instead of 100 ms, and an empty block at most once a second when idle. The propose,
            prevote and precommit timeouts only matter when a round fails (a proposer down or slow); they are 400,
            100 and 100 ms there so that a dead proposer costs less than half a second.
            """;
}
