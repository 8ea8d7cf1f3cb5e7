package mantis.model.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mantis.core.RobotSpecs;
import mantis.core.spi.PolicyRegistry;
import mantis.core.spi.PolicyRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnedPolicyProvidersTest {
  @Test
  void theServiceLoaderFindsTheDefaultModelAndTheBundleProviders() {
    PolicyRegistry registry = PolicyRegistry.installed();
    assertEquals(List.of("bundle:DIR", "mantis"), registry.names());
    assertInstanceOf(DefaultModelPolicyProvider.class, registry.provider("mantis"));
    assertInstanceOf(BundlePolicyProvider.class, registry.provider("bundle:/any/dir"));
  }

  @Test
  void aBundleThatCannotBeOpenedIsRejectedWithItsDirectoryAndTheReason(@TempDir Path dir) {
    Path missing = dir.resolve("nothing-here");
    PolicyRequest request =
        PolicyRequest.builder()
            .setName("bundle:" + missing)
            .setRobot(RobotSpecs.mantisPlanar3())
            .build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> PolicyRegistry.installed().create(request));
    assertTrue(
        e.getMessage().startsWith("cannot load policy bundle " + missing + ": "), e.getMessage());
  }

  @Test
  void theDefaultBundleIsFoundAboveTheClassFolderWhenNotInTheWorkingDirectory() {
    // Tests run in model/, which has no models/ folder: the bundle is found in the repository
    // above.
    Path resolved = LearnedPolicies.resolveDefaultBundle();
    assertTrue(resolved.endsWith(LearnedPolicies.DEFAULT_BUNDLE), resolved.toString());
    assertTrue(Files.isRegularFile(resolved.resolve("model-card.json")), resolved.toString());
  }

  @Test
  void theSharedServingDefaultsAreThePoolsDefaults() {
    assertEquals(PolicyRequest.Serving.DEFAULT.workers(), PredictorPool.DEFAULT_WORKERS);
    assertEquals(PolicyRequest.Serving.DEFAULT.maxBatch(), PredictorPool.DEFAULT_MAX_BATCH);
    assertEquals(
        PolicyRequest.Serving.DEFAULT.maxWaitMicros() * 1000,
        PredictorPool.DEFAULT_MAX_WAIT.toNanos());
  }
}
