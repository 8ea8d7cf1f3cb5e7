package mantis.calibration.kinematics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.TipPose;
import mantis.calibration.Vec3;
import mantis.core.RobotSpec;

/** A planar arm in the table plane: the exact solver, the solution nearest the seed. */
final class PlanarTableReach implements TableReach {
  private final PlanarArmKinematics arm;
  private final RobotSpec limits;

  PlanarTableReach(PlanarArmKinematics arm, RobotSpec limits) {
    this.arm = Objects.requireNonNull(arm, "arm");
    this.limits = Objects.requireNonNull(limits, "limits");
    if (limits.jointCount() != arm.linkLengthsM().length) {
      throw new IllegalArgumentException(
          "planar arm has "
              + arm.linkLengthsM().length
              + " links but the robot "
              + limits.name()
              + " has "
              + limits.jointCount()
              + " joints");
    }
  }

  @Override
  public int jointCount() {
    return limits.jointCount();
  }

  @Override
  public Vec3 tip(double[] jointsRad) {
    TipPose p = arm.forward(jointsRad);
    return new Vec3(p.xM(), p.yM(), 0.0);
  }

  @Override
  public List<Vec3> framePoints(double[] jointsRad) {
    double[] links = arm.linkLengthsM();
    if (jointsRad == null || jointsRad.length != links.length) {
      throw new IllegalArgumentException(
          "expected "
              + links.length
              + " joint values, got "
              + (jointsRad == null ? "null" : String.valueOf(jointsRad.length)));
    }
    List<Vec3> out = new ArrayList<>(links.length + 2);
    out.add(new Vec3(0, 0, 0));
    double x = 0;
    double y = 0;
    double heading = 0;
    for (int i = 0; i < links.length; i++) {
      out.add(new Vec3(x, y, 0));
      heading += jointsRad[i];
      x += links[i] * Math.cos(heading);
      y += links[i] * Math.sin(heading);
    }
    out.add(new Vec3(x, y, 0));
    return List.copyOf(out);
  }

  @Override
  public IkResult reach(double xM, double yM, double zM, double[] seedRad) {
    Optional<double[]> q = arm.inverseNearest(xM, yM, seedRad, limits);
    if (q.isEmpty()) {
      return IkResult.failed(
          String.format(
              "(%.4f, %.4f) m is outside the reach of %s inside its joint limits",
              xM, yM, limits.name()),
          Double.NaN,
          Double.NaN,
          1);
    }
    TipPose p = arm.forward(q.get());
    return IkResult.solved(q.get(), Math.hypot(p.xM() - xM, p.yM() - yM), 0.0, 1);
  }
}
