package mantis.simros;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import mantis.core.FakeClock;
import mantis.ros.msg.Header;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;
import mantis.ros.msg.RosDuration;
import mantis.ros.msg.RosTime;
import org.junit.jupiter.api.Test;

class TrajectoryFollowerTest {
  private static final List<String> JOINTS = List.of("shoulder", "elbow", "wrist");
  private static final long WALL_NOW = 1_700_000_000_000_000_000L;
  private static final double EPS = 1e-9;

  private final FakeClock clock = new FakeClock(5_000_000_000L);
  private final TrajectoryFollower follower = new TrajectoryFollower(JOINTS, clock);

  private static JointTrajectoryPoint point(double seconds, double... positions) {
    return new JointTrajectoryPoint(
        java.util.Arrays.stream(positions).boxed().toList(),
        List.of(),
        List.of(),
        List.of(),
        RosDuration.ofNanos(Math.round(seconds * 1e9)));
  }

  private static JointTrajectory trajectory(
      RosTime stamp, List<String> names, JointTrajectoryPoint... points) {
    return new JointTrajectory(new Header(0, stamp, "base_link"), names, List.of(points));
  }

  private double[] targetAfterMillis(long ms) {
    clock.advanceMillis(ms);
    return follower.targetAt(clock.nanoTime()).orElseThrow();
  }

  @Test
  void aTrajectoryIsInterpolatedFromTheCurrentPositionsThroughItsPointsAndItsLastPointIsHeld() {
    // Joint order on the wire differs from the arm's: matched by name.
    JointTrajectory t =
        trajectory(
            RosTime.ZERO,
            List.of("wrist", "shoulder", "elbow"),
            point(1.0, 3.0, 1.0, 2.0),
            point(2.0, 2.0, 2.0, 2.0));
    assertEquals(Optional.empty(), follower.offer(t, WALL_NOW, new double[] {0, 0, 0}));
    assertArrayEquals(new double[] {0.5, 1.0, 1.5}, targetAfterMillis(500), EPS);
    assertArrayEquals(new double[] {1.0, 2.0, 3.0}, targetAfterMillis(500), EPS);
    assertArrayEquals(new double[] {1.5, 2.0, 2.5}, targetAfterMillis(500), EPS);
    assertArrayEquals(new double[] {2.0, 2.0, 2.0}, targetAfterMillis(60_000), EPS);
  }

  @Test
  void aNewTrajectoryReplacesTheOldOneFromNowStartingWhereTheArmIs() {
    follower.offer(
        trajectory(RosTime.ZERO, JOINTS, point(1.0, 1.0, 1.0, 1.0)),
        WALL_NOW,
        new double[] {0, 0, 0});
    assertArrayEquals(new double[] {0.5, 0.5, 0.5}, targetAfterMillis(500), EPS);
    assertEquals(
        Optional.empty(),
        follower.offer(
            trajectory(RosTime.ZERO, JOINTS, point(1.0, -1.0, -1.0, -1.0)),
            WALL_NOW,
            new double[] {0.5, 0.5, 0.5}));
    assertArrayEquals(new double[] {-0.25, -0.25, -0.25}, targetAfterMillis(500), EPS);
    assertArrayEquals(new double[] {-1, -1, -1}, targetAfterMillis(500), EPS);
  }

  @Test
  void aStampedTrajectoryStartsAtItsStampOnTheWallClock() {
    JointTrajectory t =
        trajectory(RosTime.ofNanos(WALL_NOW + 1_000_000_000L), JOINTS, point(1.0, 2.0, 2.0, 2.0));
    assertEquals(Optional.empty(), follower.offer(t, WALL_NOW, new double[] {0, 0, 0}));
    assertArrayEquals(new double[] {0, 0, 0}, targetAfterMillis(900), EPS);
    assertArrayEquals(new double[] {1, 1, 1}, targetAfterMillis(600), EPS);
  }

  @Test
  void anEmptyTrajectoryStopsTheArm() {
    follower.offer(
        trajectory(RosTime.ZERO, JOINTS, point(1.0, 1.0, 1.0, 1.0)),
        WALL_NOW,
        new double[] {0, 0, 0});
    clock.advanceMillis(100);
    assertTrue(follower.targetAt(clock.nanoTime()).isPresent());
    assertEquals(
        Optional.empty(),
        follower.offer(trajectory(RosTime.ZERO, JOINTS), WALL_NOW, new double[] {0.1, 0.1, 0.1}));
    assertEquals(Optional.empty(), follower.targetAt(clock.nanoTime()));
  }

  @Test
  void badTrajectoriesAreRefusedWholeWithTheReason() {
    double[] here = {0, 0, 0};
    assertTrue(
        follower
            .offer(
                trajectory(RosTime.ZERO, List.of("shoulder", "elbow"), point(1.0, 1.0, 1.0)),
                WALL_NOW,
                here)
            .orElseThrow()
            .contains("lack 'wrist'"));
    assertTrue(
        follower
            .offer(
                trajectory(
                    RosTime.ZERO,
                    List.of("shoulder", "elbow", "wrist", "x"),
                    point(1.0, 1.0, 1.0, 1.0, 1.0)),
                WALL_NOW,
                here)
            .orElseThrow()
            .contains("unknown joint 'x'"));
    assertTrue(
        follower
            .offer(
                trajectory(RosTime.ZERO, JOINTS, point(1.0, 1.0, Double.NaN, 1.0)), WALL_NOW, here)
            .orElseThrow()
            .contains("not finite"));
    assertTrue(
        follower
            .offer(
                trajectory(
                    RosTime.ZERO, JOINTS, point(1.0, 1.0, 1.0, 1.0), point(1.0, 2.0, 2.0, 2.0)),
                WALL_NOW,
                here)
            .orElseThrow()
            .contains("points[1]"));
    assertTrue(
        follower
            .offer(
                trajectory(
                    RosTime.ZERO,
                    JOINTS,
                    new JointTrajectoryPoint(
                        List.of(),
                        List.of(1.0, 1.0, 1.0),
                        List.of(),
                        List.of(),
                        RosDuration.ofNanos(1_000_000_000L))),
                WALL_NOW,
                here)
            .orElseThrow()
            .contains("no positions"));
    assertEquals(Optional.empty(), follower.targetAt(clock.nanoTime()), "nothing was accepted");
  }
}
