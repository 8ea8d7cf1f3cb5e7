package mantis.model.serve;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import mantis.calibration.CameraModel;
import mantis.calibration.kinematics.RobotModel;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.spi.PolicyRequest;
import mantis.model.bundle.ModelCard;
import mantis.model.embodiment.EmbodimentAdapter;
import mantis.model.policy.GoalFramePlan;
import mantis.model.policy.MantisPolicyModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  /** Width of the camera the adapter unprojects through: the simulator's nominal camera. */
  static final int CAMERA_WIDTH_PX = 640;

  /** Height of the camera the adapter unprojects through. */
  static final int CAMERA_HEIGHT_PX = 480;

  private static final Logger LOG = LoggerFactory.getLogger(LearnedPolicies.class);

  private LearnedPolicies() {}

  /**
   * Opens the bundle in {@code dir} (its SHA-256 hashes and joint names checked) and serves it with
   * a started {@link PredictorPool}; closing the policy closes the pool and the model. A bundle
   * whose joints are not {@code robot}'s but those of another robot with kinematics ({@link
   * RobotModels}) is served on that robot and drives {@code robot} through the embodiment-neutral
   * path ({@link #openNeutral}); so is a bundle that carries a goal-frame plan ({@link
   * GoalFramePlan#FILE}), on every robot, since its plan is a path for the tip, not joint targets.
   *
   * @throws IllegalArgumentException when the bundle cannot be opened, or {@code robot} has no
   *     kinematics for the neutral path, with the reason
   */
  public static Policy open(
      Path dir, RobotSpec robot, MonotonicClock clock, PolicyRequest.Serving serving) {
    ModelCard card = card(dir);
    if (card != null
        && (!card.jointNames().equals(robot.jointNames())
            || card.files().containsKey(GoalFramePlan.FILE))) {
      return openNeutral(dir, robot, clock, serving);
    }
    return openDirect(dir, robot, clock, serving);
  }

  /**
   * Opens the bundle in {@code dir} for the robot its joints belong to (the source, one of {@link
   * RobotModels}) and serves it on {@code robot} through an {@link EmbodimentAdapter}: the policy's
   * effector trace, unprojected through the simulator's nominal camera ({@link
   * CameraModel#mantisDefault}; on a real robot this is where the calibrated camera goes), and
   * {@code robot}'s inverse kinematics give the joint targets.
   *
   * @throws IllegalArgumentException when the bundle cannot be opened, its joints belong to no
   *     known robot, or {@code robot} has no kinematics, with the reason
   */
  public static EmbodimentAdapter openNeutral(
      Path dir, RobotSpec robot, MonotonicClock clock, PolicyRequest.Serving serving) {
    return openNeutral(dir, robot, clock, serving, false);
  }

  /**
   * {@link #openNeutral(Path, RobotSpec, MonotonicClock, PolicyRequest.Serving)}, mapping the
   * bundle's joint targets instead of its effector trace when {@code jointTargetsOnly} ({@link
   * EmbodimentAdapter.Builder#optJointTargetsOnly}).
   */
  public static EmbodimentAdapter openNeutral(
      Path dir,
      RobotSpec robot,
      MonotonicClock clock,
      PolicyRequest.Serving serving,
      boolean jointTargetsOnly) {
    RobotModel target;
    try {
      target = RobotModels.forName(robot.name());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "policy bundle "
              + dir
              + " cannot drive robot "
              + robot.name()
              + " through the embodiment-neutral path: "
              + e.getMessage(),
          e);
    }
    if (!target.spec().jointNames().equals(robot.jointNames())) {
      throw new IllegalArgumentException(
          "robot "
              + robot.name()
              + " has joints "
              + robot.jointNames()
              + ", its kinematics "
              + target.spec().jointNames());
    }
    java.util.List<String> joints = bundleJoints(dir);
    RobotModel source = null;
    for (String name : RobotModels.names()) {
      RobotModel m = RobotModels.forName(name);
      if (m.spec().jointNames().equals(joints)) {
        source = m;
        break;
      }
    }
    if (source == null) {
      throw new IllegalArgumentException(
          "policy bundle "
              + dir
              + " drives joints "
              + joints
              + ", which belong to none of the robots with kinematics ("
              + String.join(", ", RobotModels.names())
              + ")");
    }
    Policy inner = openDirect(dir, source.spec(), clock, serving);
    try {
      EmbodimentAdapter adapter =
          EmbodimentAdapter.builder()
              .setPolicy(inner)
              .setSource(source)
              .setTarget(target)
              .setCamera(CameraModel.mantisDefault(CAMERA_WIDTH_PX, CAMERA_HEIGHT_PX))
              .optJointTargetsOnly(jointTargetsOnly)
              .optClock(clock)
              .build();
      LOG.info(
          "Policy bundle {} (trained on {}) drives {} through the embodiment-neutral path",
          dir,
          source.name(),
          target.name());
      return adapter;
    } catch (RuntimeException e) {
      inner.close();
      throw e;
    }
  }

  /** The joint names of the bundle's card, or null when it cannot be read (opening then fails). */
  private static java.util.List<String> bundleJoints(Path dir) {
    ModelCard card = card(dir);
    return card == null ? null : card.jointNames();
  }

  /** The bundle's card, or null when it cannot be read (opening then fails). */
  private static ModelCard card(Path dir) {
    try {
      String json = Files.readString(dir.resolve(ModelCard.FILE_NAME), StandardCharsets.UTF_8);
      return ModelCard.fromJson(json);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Policy openDirect(
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
