package mantis.calibration.kinematics;

import java.util.List;
import mantis.calibration.Vec3;

/**
 * Where an arm's tool tip is on the table, and the joints that put it on a table point: the one
 * seam between table-space plans (scripted experts, the visual-servo baseline, Trace-of-Mark traces
 * mapped through the camera) and a robot's joints, so the same plan drives any arm.
 *
 * <p>Points are in the table frame ({@link mantis.calibration} conventions: metres, origin at the
 * arm base, +x right, +y away from the base, z up). For a spatial arm the tool points straight down
 * (tool z axis along table -z) with the tool's yaw kept from the seed; a planar arm moves in the
 * table plane and ignores the height. Implementations are immutable and thread-safe.
 */
public interface TableReach {
  /** Number of joints of the arm. */
  int jointCount();

  /** The tool tip in the table frame at {@code jointsRad}. */
  Vec3 tip(double[] jointsRad);

  /**
   * Joints inside the limits that put the tool tip at ({@code xM}, {@code yM}, {@code zM}) in the
   * table frame, searched from {@code seedRad} (the result is the solution the search reaches from
   * the seed, so consecutive targets give nearby joints). Never throws for an unreachable point:
   * the result says why it failed.
   */
  IkResult reach(double xM, double yM, double zM, double[] seedRad);

  /**
   * The arm's skeleton in the table frame at {@code jointsRad}, for drawing it: the base, the
   * origin of every moving joint's frame in chain order, then the tool tip (so {@link #jointCount}
   * + 2 points). Consecutive points are the ends of the arm's links (a link may have length zero
   * where two joint frames share an origin). The default gives only the tip, for implementations
   * that know no more.
   */
  default List<Vec3> framePoints(double[] jointsRad) {
    return List.of(tip(jointsRad));
  }
}
