package chainkm.protocol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * The authorization statements and tokens (chainkm.protocol.authz): what clients and owners send
 * over the client port, what the ledger keeps and what the key server reads back.
 */
class AuthzFuzzTest {
    @Timeout(10)
    @FuzzTest
    void policy(byte[] bytes) {
        Statements.policy(bytes);
    }

    @Timeout(10)
    @FuzzTest
    void policyRemoval(byte[] bytes) {
        Statements.policyRemoval(bytes);
    }

    @Timeout(10)
    @FuzzTest
    void voucher(byte[] bytes) {
        Statements.voucher(bytes);
    }

    @Timeout(10)
    @FuzzTest
    void tokenRequest(byte[] bytes) {
        Statements.tokenRequest(bytes);
    }

    @Timeout(10)
    @FuzzTest
    void tokenDeletion(byte[] bytes) {
        Statements.tokenDeletion(bytes);
    }

    @Timeout(10)
    @FuzzTest
    void accessToken(byte[] bytes) {
        Statements.accessToken(bytes);
    }

    @Timeout(10)
    @FuzzTest
    void coseKey(byte[] bytes) {
        Statements.coseKey(bytes);
    }

    @Timeout(10)
    @FuzzTest
    void aif(byte[] bytes) {
        Statements.aif(bytes);
    }
}
