package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A gateway's answer to one submission (its control API's JSON), read by name; it prints as
 * that JSON, so a failed check shows the whole answer. {@link #assertThat} checks it.
 */
record SubmitAnswer(JsonNode json) {
    /** committed, accepted (sync mode) or refused. */
    String status() {
        return json.path("status").asText();
    }

    int nodeId() {
        return json.path("node_id").asInt();
    }

    /** The result code (0, or a {@code TxCode} of a refusal). */
    int code() {
        return json.path("code").asInt();
    }

    /** Where the operation landed (sync mode, awaited), as the gateway's final result; "" if not there. */
    String landedStatus() {
        return json.path("landed").path("status").asText();
    }

    @Override
    public String toString() {
        return json.toString();
    }

    static Assert assertThat(SubmitAnswer answer) {
        return new Assert(answer);
    }

    /** Checks of one answer: {@code assertThat(net.leave(2, node).commit()).isCommitted()}. */
    static final class Assert {
        private final SubmitAnswer answer;

        private Assert(SubmitAnswer answer) {
            this.answer = answer;
        }

        Assert isCommitted() {
            assertEquals("committed", answer.status(), answer.toString());
            return this;
        }

        Assert isAccepted() {
            assertEquals("accepted", answer.status(), answer.toString());
            return this;
        }

        /** The final result, awaited in sync mode, is committed. */
        Assert landedCommitted() {
            assertEquals("committed", answer.landedStatus(), answer.toString());
            return this;
        }

        /** Has result code {@code code}: a {@code TxCode}'s code names why it was refused. */
        Assert hasCode(int code) {
            assertEquals(code, answer.code(), answer.toString());
            return this;
        }
    }
}
