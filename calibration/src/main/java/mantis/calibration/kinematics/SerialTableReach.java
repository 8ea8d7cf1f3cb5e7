package mantis.calibration.kinematics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import mantis.calibration.Vec3;

/**
 * A spatial arm whose base sits on the table at a known place and yaw: targets are moved into the
 * base frame and solved with the tool pointing straight down, its yaw kept from the seed.
 */
final class SerialTableReach implements TableReach {
  private final Kinematics kinematics;

  /** The chain behind {@link #kinematics}, for {@link #framePoints}; null when not known. */
  private final SerialChain chain;

  private final double baseXM;
  private final double baseYM;
  private final double baseZM;
  private final double cosYaw;
  private final double sinYaw;

  SerialTableReach(
      Kinematics kinematics, double baseXM, double baseYM, double baseZM, double baseYawRad) {
    this(kinematics, null, baseXM, baseYM, baseZM, baseYawRad);
  }

  /** Like the other constructor, with the chain that {@code kinematics} solves (or null). */
  SerialTableReach(
      Kinematics kinematics,
      SerialChain chain,
      double baseXM,
      double baseYM,
      double baseZM,
      double baseYawRad) {
    this.kinematics = Objects.requireNonNull(kinematics, "kinematics");
    if (chain != null && chain.jointCount() != kinematics.jointCount()) {
      throw new IllegalArgumentException(
          "chain "
              + chain.name()
              + " has "
              + chain.jointCount()
              + " joints, kinematics "
              + kinematics.jointCount());
    }
    this.chain = chain;
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
  public List<Vec3> framePoints(double[] jointsRad) {
    if (chain == null) {
      return List.of(tip(jointsRad));
    }
    if (jointsRad == null || jointsRad.length != chain.jointCount()) {
      throw new IllegalArgumentException(
          "expected "
              + chain.jointCount()
              + " joint values, got "
              + (jointsRad == null ? "null" : String.valueOf(jointsRad.length)));
    }
    List<Vec3> out = new ArrayList<>(chain.jointCount() + 2);
    out.add(onTable(0, 0, 0));
    Transform t = Transform.IDENTITY;
    for (int i = 0; i < chain.jointCount(); i++) {
      ChainJoint j = chain.joint(i);
      t = t.then(j.origin());
      double[] p = t.translationM();
      out.add(onTable(p[0], p[1], p[2]));
      t =
          t.then(
              j.type() == JointType.PRISMATIC
                  ? Transform.translation(j.axis(), jointsRad[i])
                  : Transform.rotation(j.axis(), jointsRad[i]));
    }
    double[] p = t.then(chain.toolTransform()).translationM();
    out.add(onTable(p[0], p[1], p[2]));
    return List.copyOf(out);
  }

  private Vec3 onTable(double x, double y, double z) {
    return new Vec3(baseXM + cosYaw * x - sinYaw * y, baseYM + sinYaw * x + cosYaw * y, baseZM + z);
  }

  /**
   * A solution that moves some joint by more than this from the seed is taken for another IK branch
   * (the solver's restarts can land on one), and the target is approached in short steps instead.
   */
  static final double BRANCH_JUMP_RAD = 1.0;

  /** Length of the steps of that approach along the straight line from the seed's tip, metres. */
  static final double CONTINUATION_STEP_M = 0.02;

  @Override
  public IkResult reach(double xM, double yM, double zM, double[] seedRad) {
    IkResult direct = solve(xM, yM, zM, seedRad);
    if (direct.solved() && largestJump(direct, seedRad) <= BRANCH_JUMP_RAD) {
      return direct;
    }
    // Continuation: short steps from the seed's tip keep the solution on the seed's branch.
    Vec3 from = tip(seedRad);
    double d =
        Math.sqrt(
            (xM - from.xM()) * (xM - from.xM())
                + (yM - from.yM()) * (yM - from.yM())
                + (zM - from.zM()) * (zM - from.zM()));
    int steps = Math.max(2, (int) Math.ceil(d / CONTINUATION_STEP_M));
    double[] q = seedRad;
    IkResult step = direct;
    for (int s = 1; s <= steps; s++) {
      double a = (double) s / steps;
      step =
          solve(
              from.xM() + a * (xM - from.xM()),
              from.yM() + a * (yM - from.yM()),
              from.zM() + a * (zM - from.zM()),
              q);
      if (!step.solved()) {
        return direct;
      }
      q = step.joints().orElseThrow();
    }
    if (direct.solved() && largestJump(direct, seedRad) <= largestJump(step, seedRad)) {
      return direct;
    }
    return step;
  }

  private static double largestJump(IkResult r, double[] seedRad) {
    double[] q = r.joints().orElseThrow();
    double worst = 0;
    for (int j = 0; j < q.length; j++) {
      worst = Math.max(worst, Math.abs(q[j] - seedRad[j]));
    }
    return worst;
  }

  /** One IK solve for the tip at a table point, tool down, yaw from the seed. */
  private IkResult solve(double xM, double yM, double zM, double[] seedRad) {
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
