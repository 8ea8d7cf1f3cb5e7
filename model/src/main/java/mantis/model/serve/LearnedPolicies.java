package mantis.model.serve;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.spi.PolicyRequest;
import mantis.model.policy.MantisPolicyModel;

/**
 * Learned policies served from model bundles: where the bundled default model lives and how a
 * bundle is opened and served. The policy names {@value #DEFAULT_NAME} and {@value
 * #BUNDLE_PREFIX}{@code DIR} are registered by {@link DefaultModelPolicyProvider} and {@link
 * BundlePolicyProvider}.
 */
public final class LearnedPolicies {
  /** The policy name of the bundled default model. */
  public static final String DEFAULT_NAME = "mantis";

  /** Prefix of a policy given as a bundle directory. */
  public static final String BUNDLE_PREFIX = "bundle:";

  /**
   * The bundled default model, relative to the working directory or to the repository holding the
   * jar.
   */
  public static final String DEFAULT_BUNDLE_DIR = "models/policy/default";

  /** {@link #DEFAULT_BUNDLE_DIR} as a path. */
  public static final Path DEFAULT_BUNDLE = Path.of(DEFAULT_BUNDLE_DIR);

  private LearnedPolicies() {}

  /**
   * Opens the bundle in {@code dir} (its SHA-256 hashes and joint names checked) and serves it with
   * a started {@link PredictorPool}; closing the policy closes the pool and the model.
   *
   * @throws IllegalArgumentException when the bundle cannot be opened, with the reason
   */
  public static Policy open(
      Path dir, RobotSpec robot, MonotonicClock clock, PolicyRequest.Serving serving) {
    MantisPolicyModel model;
    try {
      model = MantisPolicyModel.open(dir, robot, clock);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot load policy bundle " + dir + ": " + e.getMessage(), e);
    }
    PredictorPool pool =
        PredictorPool.builder()
            .setModel(model)
            .optWorkers(serving.workers())
            .optMaxBatch(serving.maxBatch())
            .optMaxWait(Duration.ofNanos(serving.maxWaitMicros() * 1000))
            .optCloseModel(true)
            .build();
    pool.start();
    return pool;
  }

  /**
   * The default bundle: {@link #DEFAULT_BUNDLE} under the working directory, else under a folder
   * above the jar (or class folder) holding this class ({@code app/target/mantis.jar} -> {@code
   * ../../models/policy/default}), else {@link #DEFAULT_BUNDLE} itself, which then fails to open
   * with a clear error.
   */
  public static Path resolveDefaultBundle() {
    if (Files.isDirectory(DEFAULT_BUNDLE)) {
      return DEFAULT_BUNDLE;
    }
    try {
      var src = LearnedPolicies.class.getProtectionDomain().getCodeSource();
      if (src != null) {
        Path jar = Path.of(src.getLocation().toURI());
        for (Path p = jar.getParent(); p != null; p = p.getParent()) {
          if (Files.isDirectory(p.resolve(DEFAULT_BUNDLE))) {
            return p.resolve(DEFAULT_BUNDLE);
          }
        }
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall through to the relative path, which gives the clear error
    }
    return DEFAULT_BUNDLE;
  }
}
