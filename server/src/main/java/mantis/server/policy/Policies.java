package mantis.server.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import mantis.baseline.VisualServoPolicy;
import mantis.calibration.CameraModel;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.model.policy.MantisPolicyModel;
import mantis.model.serve.PredictorPool;

/** Makes policies by name. */
public final class Policies {
  /** The bundled default model, relative to the working directory or to the repository holding the jar. */
  public static final Path DEFAULT_BUNDLE = Path.of("models", "policy", "default");
  /** Prefix of a policy given as a bundle directory. */
  public static final String BUNDLE_PREFIX = "bundle:";

  /**
   * How a learned policy is served: predictor threads, largest batch and batching wait.
   *
   * @param workers predictor threads, each with its own native scratch memory
   * @param maxBatch most observations per forward pass
   * @param maxWaitMicros how long a worker waits for more observations after the first, microseconds
   */
  public record Serving(int workers, int maxBatch, long maxWaitMicros) {
    /** One worker, batches of up to 8, 2 ms wait. */
    public static final Serving DEFAULT = new Serving(1, 8, 2000);
  }

  private Policies() {}

  /** {@link #create(String, RobotSpec, int, MonotonicClock, Serving)} with {@link Serving#DEFAULT}. */
  public static Policy create(String name, RobotSpec robot, int inputPx, MonotonicClock clock) {
    return create(name, robot, inputPx, clock, Serving.DEFAULT);
  }

  /**
   * The policy called {@code name}: {@code mantis} (the bundled default model, {@link #DEFAULT_BUNDLE}),
   * {@code bundle:DIR} (a model bundle; its SHA-256 hashes and joint names are checked), {@code visual-servo}
   * (the classical baseline with the sim's nominal camera, working at {@code inputPx} x {@code inputPx}),
   * {@code hold}, or {@code random} (a seeded random walk of joint targets, the floor of an evaluation). A
   * learned policy is served by a started {@link PredictorPool}; closing the policy closes the pool and the model.
   *
   * @throws IllegalArgumentException for an unknown name, or a bundle that cannot be opened (with the reason)
   */
  public static Policy create(String name, RobotSpec robot, int inputPx, MonotonicClock clock, Serving serving) {
    if (name.equals("mantis")) {
      return bundle(resolveDefaultBundle(), robot, clock, serving);
    }
    if (name.startsWith(BUNDLE_PREFIX) && name.length() > BUNDLE_PREFIX.length()) {
      return bundle(Path.of(name.substring(BUNDLE_PREFIX.length())), robot, clock, serving);
    }
    switch (name) {
      case "visual-servo":
        return VisualServoPolicy.builder()
            .setRobot(robot)
            .setCamera(CameraModel.mantisDefault(640, 480))
            .optInputSizePx(inputPx, inputPx)
            .optClock(clock)
            .build();
      case "hold":
      case "no-op":
        return HoldPolicy.create(robot, clock);
      case "random":
        return new RandomPolicy(robot, inputPx, clock);
      default:
        throw new IllegalArgumentException(
            "unknown policy '" + name + "'; known: mantis, bundle:DIR, visual-servo, hold, random");
    }
  }

  private static Policy bundle(Path dir, RobotSpec robot, MonotonicClock clock, Serving serving) {
    MantisPolicyModel model;
    try {
      model = MantisPolicyModel.open(dir, robot, clock);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot load policy bundle " + dir + ": " + e.getMessage(), e);
    }
    PredictorPool pool = PredictorPool.builder()
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
   * The default bundle: {@link #DEFAULT_BUNDLE} under the working directory, else under the repository that
   * holds the running jar ({@code app/target/mantis.jar} -> {@code ../../models/policy/default}).
   */
  static Path resolveDefaultBundle() {
    if (Files.isDirectory(DEFAULT_BUNDLE)) {
      return DEFAULT_BUNDLE;
    }
    try {
      var src = Policies.class.getProtectionDomain().getCodeSource();
      if (src != null) {
        Path jar = Path.of(src.getLocation().toURI());
        for (Path p = jar.getParent(); p != null; p = p.getParent()) {
          if (Files.isDirectory(p.resolve(DEFAULT_BUNDLE))) {
            return p.resolve(DEFAULT_BUNDLE);
          }
        }
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // fall through to the relative path, which gives the clear error
    }
    return DEFAULT_BUNDLE;
  }
}
