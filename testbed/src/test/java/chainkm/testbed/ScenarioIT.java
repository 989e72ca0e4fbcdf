package chainkm.testbed;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A story on one shared testnet, told in steps: each test of the class is one step that checks
 * one idea, run in {@link Order}. A step builds on the state the steps before it left, so once a
 * step fails the later ones are skipped (they would only fail for its reason, each after its
 * own timeout); the testnet is stopped all the same.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ScenarioIT.SkipAfterAFailedStep.class)
abstract class ScenarioIT extends SharedTestnetIT {

    /** Skips the remaining steps of a class once one has failed. */
    static final class SkipAfterAFailedStep implements TestWatcher, ExecutionCondition {
        private static final ExtensionContext.Namespace STEPS = ExtensionContext.Namespace.create(SkipAfterAFailedStep.class);
        private static final String FAILED = "failed step";

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isEmpty()) {
                return ConditionEvaluationResult.enabled("the story itself");
            }
            String failed = story(context).get(FAILED, String.class);
            return failed == null ? ConditionEvaluationResult.enabled("every step so far passed")
                    : ConditionEvaluationResult.disabled("skipped: an earlier step failed: " + failed);
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            story(context).put(FAILED, context.getDisplayName());
        }

        /** The class's store, shared by its steps. */
        private static ExtensionContext.Store story(ExtensionContext step) {
            return step.getParent().orElseThrow().getStore(STEPS);
        }
    }
}
