package mantis.server.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.JointLimits;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpec;

/**
 * The floor of every evaluation: each chunk is a random walk of joint targets from the measured
 * position, {@value #CHUNK_LENGTH} points {@value #POINT_SPACING_NANOS} ns apart, every target
 * inside the joint's limits minus {@value #MARGIN_RAD} rad, each step at most half the joint's top
 * speed times the spacing. Valid for the chunk's duration.
 *
 * <p>Reproducible: the walk is seeded from the observation's episode id and step only (not its
 * robot id, so an episode gives the same chunks whichever client stream runs it). Stateless and
 * thread-safe.
 */
final class RandomPolicy implements Policy {
  static final int CHUNK_LENGTH = 8;
  static final long POINT_SPACING_NANOS = 100_000_000L;
  static final double MARGIN_RAD = 0.05;
  private static final String VERSION = "random-1";

  private final RobotSpec robot;
  private final MonotonicClock clock;
  private final PolicyInfo info;

  RandomPolicy(RobotSpec robot, int inputPx, MonotonicClock clock) {
    this.robot = robot;
    this.clock = clock;
    this.info =
        new PolicyInfo(
            RandomPolicyProvider.NAME,
            VERSION,
            robot.jointNames(),
            inputPx,
            inputPx,
            CHUNK_LENGTH,
            "{\"name\":\"random\",\"kind\":\"random joint walk\"}");
  }

  @Override
  public PolicyInfo info() {
    return info;
  }

  /** The seed of one observation's walk: its episode id and step. */
  static long seed(Observation observation) {
    long h = observation.episodeId().hashCode();
    return h * 0x9E3779B97F4A7C15L + observation.step();
  }

  @Override
  public ActionChunk predict(Observation observation) {
    double[] measured = observation.jointState().positionsRad();
    if (measured.length != robot.jointCount()) {
      throw new IllegalArgumentException(
          "joint state has "
              + measured.length
              + " joints, robot "
              + robot.name()
              + " has "
              + robot.jointCount());
    }
    SplittableRandom random = new SplittableRandom(seed(observation));
    double[] q = new double[measured.length];
    for (int j = 0; j < q.length; j++) {
      q[j] = clamp(Double.isFinite(measured[j]) ? measured[j] : 0, robot.joint(j));
    }
    List<ActionPoint> points = new ArrayList<>(CHUNK_LENGTH);
    for (int k = 1; k <= CHUNK_LENGTH; k++) {
      double[] next = new double[q.length];
      for (int j = 0; j < q.length; j++) {
        double step = 0.5 * robot.joint(j).maxVelocityRadPerS() * POINT_SPACING_NANOS / 1e9;
        next[j] = clamp(q[j] + random.nextDouble(-step, step), robot.joint(j));
      }
      points.add(new ActionPoint(next, k * POINT_SPACING_NANOS));
      q = next;
    }
    return new ActionChunk(
        robot.jointNames(),
        points,
        clock.nanoTime() + CHUNK_LENGTH * POINT_SPACING_NANOS,
        new int[0],
        List.of(),
        List.of(),
        VERSION,
        Map.of());
  }

  private static double clamp(double v, JointLimits limits) {
    return Math.max(
        limits.minPositionRad() + MARGIN_RAD, Math.min(limits.maxPositionRad() - MARGIN_RAD, v));
  }
}
