package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import mantis.ros.msg.Header;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;
import mantis.ros.msg.RosDuration;
import mantis.ros.msg.RosTime;
import org.junit.jupiter.api.Test;

class ConvertVelocitiesTest {
  private static JointTrajectory trajectory(double[] tSecs, double[]... q) {
    List<JointTrajectoryPoint> points = new ArrayList<>();
    for (int i = 0; i < q.length; i++) {
      List<Double> p = new ArrayList<>();
      for (double v : q[i]) {
        p.add(v);
      }
      points.add(
          new JointTrajectoryPoint(
              p, List.of(), List.of(), List.of(), RosDuration.ofNanos(Math.round(tSecs[i] * 1e9))));
    }
    return new JointTrajectory(new Header(0, RosTime.ZERO, ""), List.of("a", "b"), points);
  }

  private static double v(JointTrajectory t, int point, int joint) {
    return t.points().get(point).velocities().get(joint);
  }

  @Test
  void innerPointsGetCentralDifferencesTheFirstAForwardOneAndTheLastZero() {
    JointTrajectory t =
        Convert.withVelocities(
            trajectory(
                new double[] {0.1, 0.2, 0.4},
                new double[] {0.0, 1.0},
                new double[] {0.1, 1.0},
                new double[] {0.5, 0.8}));
    assertEquals(1.0, v(t, 0, 0), 1e-12); // (0.1 - 0) / 0.1
    assertEquals(0.0, v(t, 0, 1), 1e-12);
    assertEquals((0.5 - 0.0) / 0.3, v(t, 1, 0), 1e-12);
    assertEquals((0.8 - 1.0) / 0.3, v(t, 1, 1), 1e-12);
    assertEquals(0.0, v(t, 2, 0), 0.0);
    assertEquals(0.0, v(t, 2, 1), 0.0);
    assertEquals(t.points().get(1).positions(), List.of(0.1, 1.0), "positions are kept");
    assertEquals(RosDuration.ofNanos(200_000_000L), t.points().get(1).timeFromStart());
  }

  @Test
  void anInnerVelocityIsNeverFasterThanTheFasterOfItsTwoSegments() {
    java.util.Random r = new java.util.Random(7);
    for (int k = 0; k < 1000; k++) {
      double[] times = {0.05 + r.nextDouble(), 0, 0};
      times[1] = times[0] + 0.01 + r.nextDouble();
      times[2] = times[1] + 0.01 + r.nextDouble();
      double[][] q = new double[3][2];
      for (double[] p : q) {
        p[0] = r.nextGaussian();
        p[1] = r.nextGaussian();
      }
      JointTrajectory t = Convert.withVelocities(trajectory(times, q));
      for (int j = 0; j < 2; j++) {
        double s1 = Math.abs(q[1][j] - q[0][j]) / (times[1] - times[0]);
        double s2 = Math.abs(q[2][j] - q[1][j]) / (times[2] - times[1]);
        assertTrue(Math.abs(v(t, 1, j)) <= Math.max(s1, s2) + 1e-12);
      }
    }
  }

  @Test
  void aOnePointHoldGetsZeroVelocities() {
    JointTrajectory t =
        Convert.withVelocities(trajectory(new double[] {0.05}, new double[] {0.3, -0.3}));
    assertEquals(List.of(0.0, 0.0), t.points().get(0).velocities());
  }

  @Test
  void timesThatDoNotIncreaseAreRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Convert.withVelocities(
                    trajectory(new double[] {0.1, 0.1}, new double[] {0, 0}, new double[] {1, 1})));
    assertTrue(e.getMessage().contains("time_from_start must increase"), e.getMessage());
  }
}
