package mantis.server.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpec;

/**
 * The no-op policy: every chunk holds the measured joint position. Useful to test the plumbing and
 * to measure the server's own overhead. Thread-safe.
 */
public final class HoldPolicy implements Policy {
  /** Spacing of the chunk's points. */
  static final long POINT_SPACING_NANOS = 100_000_000L;

  private final RobotSpec robot;
  private final MonotonicClock clock;
  private final int chunkLength;
  private final long validityNanos;
  private final PolicyInfo info;

  /**
   * @param chunkLength points per chunk, 100 ms apart
   * @param validityNanos how long each chunk stays valid from the moment it is made
   */
  public HoldPolicy(RobotSpec robot, MonotonicClock clock, int chunkLength, long validityNanos) {
    if (chunkLength < 1 || validityNanos <= 0) {
      throw new IllegalArgumentException("chunk length must be >= 1 and validity > 0");
    }
    this.robot = robot;
    this.clock = clock;
    this.chunkLength = chunkLength;
    this.validityNanos = validityNanos;
    this.info =
        new PolicyInfo(
            HoldPolicyProvider.NAME, "hold-1", robot.jointNames(), 0, 0, chunkLength, "{}");
  }

  /** Eight points, valid for 1 s. */
  public static HoldPolicy create(RobotSpec robot, MonotonicClock clock) {
    return new HoldPolicy(robot, clock, 8, 1_000_000_000L);
  }

  @Override
  public PolicyInfo info() {
    return info;
  }

  @Override
  public ActionChunk predict(Observation observation) {
    double[] q = observation.jointState().positionsRad();
    List<ActionPoint> points = new ArrayList<>(chunkLength);
    for (int i = 1; i <= chunkLength; i++) {
      points.add(new ActionPoint(q, i * POINT_SPACING_NANOS));
    }
    return new ActionChunk(
        robot.jointNames(),
        points,
        clock.nanoTime() + validityNanos,
        new int[0],
        List.of(),
        List.of(),
        info.version(),
        Map.of());
  }
}
