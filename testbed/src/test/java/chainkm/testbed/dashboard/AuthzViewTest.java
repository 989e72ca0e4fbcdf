package chainkm.testbed.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's policies and tokens from successive looks at the ledger's {@code /authz/policy}
 * and {@code /authz/tokens}: a token stays in view with its details once deleted or expired, and
 * each change is logged once.
 */
class AuthzViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CTI = "aa".repeat(16);
    private static final String CLIENT = "cc".repeat(32);
    private static final String POLICY = "{\"id\":\"" + "11".repeat(32) + "\",\"owner\":\"" + "0b".repeat(32)
            + "\",\"device\":\"lamp-1\",\"scope\":[[\"/light\",5]],\"max_lifetime\":100,\"clients\":[\"" + CLIENT + "\"]}";

    private final EventLog events = new EventLog(100);
    private final AuthzView view = new AuthzView(events);

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static JsonNode policies(String... ps) throws Exception {
        return json("{\"height\":1,\"policies\":[" + String.join(",", ps) + "]}");
    }

    private static JsonNode tokens(long height, String tokens, String revoked) throws Exception {
        return json("{\"height\":" + height + ",\"tokens\":[" + tokens + "],\"revoked\":[" + revoked + "]}");
    }

    private static String token(String cti, long iat, long exp) {
        return "{\"cti\":\"" + cti + "\",\"state\":\"live\",\"aud\":\"lamp-1\",\"scope\":[[\"/light\",1]],\"iat\":" + iat
                + ",\"exp\":" + exp + ",\"client\":\"" + CLIENT + "\",\"policy\":\"" + "11".repeat(32)
                + "\",\"token\":\"a6\"}";
    }

    private List<String> kinds() {
        return events.after(0, 100).stream().map(EventLog.Event::kind).toList();
    }

    private JsonNode onlyToken() {
        JsonNode ts = view.toJson().path("tokens");
        assertEquals(1, ts.size(), ts.toString());
        return ts.get(0);
    }

    @Test
    void aGrantedThenDeletedTokenKeepsItsDetailsAndShowsRevoked() throws Exception {
        view.accept(policies(POLICY), tokens(5, token(CTI, 5, 105), ""));
        JsonNode live = onlyToken();
        assertEquals("live", live.path("state").asText());
        assertEquals(CLIENT, live.path("client").asText());
        assertEquals("lamp-1", live.path("aud").asText());
        assertEquals("[[\"/light\",1]]", live.path("scope").toString());
        assertEquals(105, live.path("exp").asLong());
        assertEquals("lamp-1", view.toJson().path("policies").get(0).path("device").asText());

        view.accept(policies(POLICY), tokens(6, token(CTI, 5, 105), "")); // nothing new: nothing logged
        view.accept(policies(POLICY), tokens(9, "", "{\"cti\":\"" + CTI + "\",\"revoked_height\":9,\"exp\":105}"));
        JsonNode revoked = onlyToken();
        assertEquals("revoked", revoked.path("state").asText());
        assertEquals(9, revoked.path("revoked_height").asLong());
        assertEquals(CLIENT, revoked.path("client").asText(), "the details stay");
        // past its exp the ledger forgets the revocation too; the page still shows it revoked
        view.accept(policies(POLICY), tokens(106, "", ""));
        assertEquals("revoked", onlyToken().path("state").asText());
        assertEquals(List.of("policy", "token", "token_revoked"), kinds());
        assertTrue(events.after(0, 100).get(1).detail().contains("/light GET"), events.after(0, 100).get(1).detail());
    }

    @Test
    void aTokenThatLeavesTheLedgerWithoutADeletionExpired() throws Exception {
        view.accept(policies(POLICY), tokens(5, token(CTI, 5, 8), ""));
        view.accept(policies(), tokens(8, "", ""));
        assertEquals("expired", onlyToken().path("state").asText());
        assertEquals(0, view.toJson().path("policies").size());
        assertEquals(List.of("policy", "token", "policy_removed", "token_expired"), kinds());
    }

    @Test
    void onlyTheLastEndedTokensAreKeptAndAnOlderLookIsIgnored() throws Exception {
        for (int i = 0; i < AuthzView.ENDED_KEPT + 5; i++) {
            String cti = String.format("%032x", i);
            view.accept(policies(POLICY), tokens(10 + 2 * i, token(cti, 10 + 2 * i, 11 + 2 * i), ""));
        }
        view.accept(policies(POLICY), tokens(1_000, "", ""));
        JsonNode ts = view.toJson().path("tokens");
        assertEquals(AuthzView.ENDED_KEPT, ts.size());
        assertEquals(String.format("%032x", AuthzView.ENDED_KEPT + 4), ts.get(0).path("cti").asText(), "newest first");
        long logged = events.last();
        view.accept(policies(), tokens(999, token(CTI, 999, 2_000), "")); // a gateway behind: ignored
        assertEquals(logged, events.last());
        assertEquals(1, view.toJson().path("policies").size());
    }

    @Test
    void methodMasksReadAsNames() {
        assertEquals("GET,PUT", AuthzView.methods(5));
        assertEquals("GET,POST,PUT,DELETE,FETCH,PATCH,iPATCH", AuthzView.methods(127));
    }
}
