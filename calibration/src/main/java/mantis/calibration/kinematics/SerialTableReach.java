package mantis.calibration.kinematics;

import java.util.Objects;
import mantis.calibration.Vec3;

/**
 * A spatial arm whose base sits on the table at a known place and yaw: targets are moved into the
 * base frame and solved with the tool pointing straight down, its yaw kept from the seed.
 */
final class SerialTableReach implements TableReach {
  private final Kinematics kinematics;
  private final double baseXM;
  private final double baseYM;
  private final double baseZM;
  private final double cosYaw;
  private final double sinYaw;

  SerialTableReach(
      Kinematics kinematics, double baseXM, double baseYM, double baseZM, double baseYawRad) {
    this.kinematics = Objects.requireNonNull(kinematics, "kinematics");
    double[] all = {baseXM, baseYM, baseZM, baseYawRad};
    for (double v : all) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("base placement must be finite");
      }
    }
    this.baseXM = baseXM;
    this.baseYM = baseYM;
    this.baseZM = baseZM;
    this.cosYaw = Math.cos(baseYawRad);
    this.sinYaw = Math.sin(baseYawRad);
  }

  @Override
  public int jointCount() {
    return kinematics.jointCount();
  }

  @Override
  public Vec3 tip(double[] jointsRad) {
    Pose p = kinematics.forward(jointsRad);
    return new Vec3(
        baseXM + cosYaw * p.xM() - sinYaw * p.yM(),
        baseYM + sinYaw * p.xM() + cosYaw * p.yM(),
        baseZM + p.zM());
  }

  @Override
  public IkResult reach(double xM, double yM, double zM, double[] seedRad) {
    if (!Double.isFinite(xM) || !Double.isFinite(yM) || !Double.isFinite(zM)) {
      return IkResult.failed("table target must be finite", Double.NaN, Double.NaN, 0);
    }
    double dx = xM - baseXM;
    double dy = yM - baseYM;
    double bx = cosYaw * dx + sinYaw * dy;
    double by = -sinYaw * dx + cosYaw * dy;
    double bz = zM - baseZM;
    // Tool x axis: the seed's, flattened onto the horizontal plane (base x when it is vertical).
    double[] r = kinematics.forward(seedRad).rotationRowMajor();
    double xx = r[0];
    double xy = r[3];
    double n = Math.hypot(xx, xy);
    if (n < 1e-6) {
      xx = 1;
      xy = 0;
    } else {
      xx /= n;
      xy /= n;
    }
    // Columns: tool x = (xx, xy, 0), tool z = (0, 0, -1), tool y = z cross x = (xy, -xx, 0).
    Pose target = Pose.fromRotation(bx, by, bz, xx, xy, 0, xy, -xx, 0, 0, 0, -1);
    return kinematics.inverse(target, seedRad);
  }
}
