package chainkm.cli.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.authz.Aif;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --resource PATH[:METHODS]} as an AIF scope. */
class ResourceScopeTest {
    @Test
    void methodsDefaultToGetAndFollowTheLastColon() {
        Aif scope = ResourceScope.parse(List.of("/light", "/temp:GET,PUT", "/a:b:delete", "/x:iPATCH,FETCH"));
        assertEquals(List.of(new Aif.Entry("/light", Aif.GET), new Aif.Entry("/temp", Aif.GET | Aif.PUT),
                new Aif.Entry("/a:b", Aif.DELETE), new Aif.Entry("/x", Aif.IPATCH | Aif.FETCH)), scope.entries());
    }

    @Test
    void wrongResourcesAreRefusedWithTheReason() {
        assertMessage("unknown method 'GOT'", "/light:GOT");
        assertMessage("no methods after its ':'", "/light:");
        assertMessage("starts with '/'", "light");
        assertMessage("appears twice", "/light", "/light:PUT");
        assertThrows(IllegalArgumentException.class, () -> ResourceScope.parse(List.of()));
    }

    private static void assertMessage(String part, String... resources) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResourceScope.parse(List.of(resources)));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
