package mantis.calibration.kinematics;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.TipPose;
import mantis.core.RobotSpec;

/** {@link PlanarArmKinematics} behind {@link Kinematics}; its behaviour is unchanged. */
final class PlanarKinematics implements Kinematics {
  /** How far off the plane (metres) or tilted out of it (radians) a target may be. */
  private static final double PLANE_TOLERANCE = 1e-9;

  private final PlanarArmKinematics arm;
  private final RobotSpec limits;

  PlanarKinematics(PlanarArmKinematics arm, RobotSpec limits) {
    this.arm = Objects.requireNonNull(arm, "arm");
    this.limits = Objects.requireNonNull(limits, "limits");
    if (limits.jointCount() != 3) {
      throw new IllegalArgumentException(
          "a planar 3R arm needs 3 joint limits, got " + limits.jointCount());
    }
  }

  @Override
  public int jointCount() {
    return 3;
  }

  @Override
  public List<String> jointNames() {
    return limits.jointNames();
  }

  @Override
  public Pose forward(double[] joints) {
    TipPose tip = arm.forward(joints);
    return planarPose(tip.xM(), tip.yM(), tip.headingRad());
  }

  @Override
  public double[][] jacobian(double[] joints) {
    double[][] p = arm.jointPositionsM(joints);
    double tx = p[3][0];
    double ty = p[3][1];
    double[][] j = new double[6][3];
    for (int i = 0; i < 3; i++) {
      j[0][i] = -(ty - p[i][1]);
      j[1][i] = tx - p[i][0];
      j[5][i] = 1;
    }
    return j;
  }

  @Override
  public IkResult inverse(Pose target, double[] seed) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(seed, "seed");
    // Angle between the target's z axis and the base's +z.
    double s2 = target.qx() * target.qx() + target.qy() * target.qy();
    double tilt = Math.acos(Math.max(-1, Math.min(1, 1 - 2 * s2)));
    if (Math.abs(target.zM()) > PLANE_TOLERANCE || tilt > PLANE_TOLERANCE) {
      return IkResult.failed(
          "the planar arm reaches only poses in the plane z = 0 turned about +z; the target has z = "
              + target.zM()
              + " m and is tilted by "
              + tilt
              + " rad",
          Double.NaN,
          Double.NaN,
          0);
    }
    double heading = 2 * Math.atan2(target.qz(), target.qw());
    Optional<double[]> q = arm.inverse(target.xM(), target.yM(), heading, seed, limits);
    if (q.isEmpty()) {
      return IkResult.failed(
          "the planar arm cannot reach x = "
              + target.xM()
              + " m, y = "
              + target.yM()
              + " m, heading "
              + heading
              + " rad inside the joint limits",
          Double.NaN,
          Double.NaN,
          1);
    }
    Pose reached = forward(q.get());
    return IkResult.solved(
        q.get(), reached.positionDistanceM(target), reached.angleToRad(target), 1);
  }

  static Pose planarPose(double xM, double yM, double headingRad) {
    return new Pose(xM, yM, 0, 0, 0, Math.sin(headingRad / 2), Math.cos(headingRad / 2));
  }
}
