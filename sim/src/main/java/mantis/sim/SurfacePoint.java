package mantis.sim;

import java.util.List;
import java.util.Objects;
import mantis.calibration.Vec3;

/**
 * Privileged ground truth for point tracking: a material point fixed to one surface of the scene,
 * found with {@link TabletopSim#surfaceAt}. {@link #locate} says where that point is in any state
 * of the same episode: table points never move; object points move with their object (blocks and
 * discs only translate); shadow points move with their object's shadow on the table; hand points
 * move with the palm (the hand only translates); arm points turn and move with their link.
 *
 * @param surface what the point lies on
 * @param index the object's index in {@link WorldState#objects()} (OBJECT, SHADOW) or the arm link
 *     (ARM: 0..2 for the planar arm; for a spatial arm the link from point k to k + 1 of {@link
 *     mantis.calibration.kinematics.TableReach#framePoints}); -1 otherwise
 * @param localXM first coordinate in the surface's frame, metres: table x (TABLE), offset from the
 *     object's centre in x (OBJECT, SHADOW) or from the palm centre (HAND), distance along the link
 *     from its proximal joint (ARM)
 * @param localYM second coordinate: table y, offset in y, or distance to the left of the link's
 *     axis
 * @param zM height of the point above the table, metres (ARM on a spatial arm: height above the
 *     link's axis point at {@code localXM}; its {@code localYM} is the horizontal offset from the
 *     axis, to the left of the link's direction)
 */
public record SurfacePoint(Surface surface, int index, double localXM, double localYM, double zM) {
  /** The kinds of surface. */
  public enum Surface {
    TABLE,
    OBJECT,
    SHADOW,
    ARM,
    HAND
  }

  public SurfacePoint {
    Objects.requireNonNull(surface, "surface");
  }

  /** True for a point on the arm or the hand. */
  public boolean onEffector() {
    return surface == Surface.ARM || surface == Surface.HAND;
  }

  /**
   * Where this material point is in {@code state} (a state of the episode it was picked in), table
   * frame.
   */
  public Vec3 locate(WorldState state) {
    switch (surface) {
      case TABLE:
        return new Vec3(localXM, localYM, zM);
      case OBJECT:
      case SHADOW:
        {
          List<ObjectState> objects = state.objects();
          ObjectState o = objects.get(index);
          return new Vec3(o.xM() + localXM, o.yM() + localYM, zM);
        }
      case HAND:
        return new Vec3(state.effectorXM() + localXM, state.effectorYM() + localYM, zM);
      case ARM:
        {
          double[] q = state.jointPositionsRad();
          if (q.length != Table.LINKS_M.length) {
            List<Vec3> pts = SimRobot.forJointCount(q.length).model().reach().framePoints(q);
            return spatialPoint(pts, index, localXM, localYM, zM);
          }
          double[] fk = new double[8];
          Table.jointPositions(q, fk);
          double heading = 0;
          for (int i = 0; i <= index; i++) {
            heading += q[i];
          }
          double c = Math.cos(heading);
          double s = Math.sin(heading);
          return new Vec3(
              fk[2 * index] + c * localXM - s * localYM,
              fk[2 * index + 1] + s * localXM + c * localYM,
              zM);
        }
      default:
        throw new IllegalStateException("unknown surface " + surface);
    }
  }

  /**
   * A point on a spatial arm's link {@code link} (between {@code points} k and k + 1) at world (x,
   * y, z), nearest the link's axis at parameter {@code t} in [0, 1].
   */
  static SurfacePoint onSpatialLink(
      int link, List<Vec3> points, double t, double xM, double yM, double zM) {
    double[] f = linkFrame(points, link);
    double along = t * f[6];
    double ax = f[0] + f[3] * along;
    double ay = f[1] + f[4] * along;
    double az = f[2] + f[5] * along;
    double lat = -(xM - ax) * f[8] + (yM - ay) * f[7];
    return new SurfacePoint(Surface.ARM, link, along, lat, zM - az);
  }

  /** Where (along, lateral, above) of link {@code link} lies for these frame points. */
  private static Vec3 spatialPoint(
      List<Vec3> points, int link, double along, double lateral, double above) {
    double[] f = linkFrame(points, link);
    return new Vec3(
        f[0] + f[3] * along - f[8] * lateral,
        f[1] + f[4] * along + f[7] * lateral,
        f[2] + f[5] * along + above);
  }

  /**
   * {start x, y, z, unit direction x, y, z, length, horizontal unit direction x, y} of a link
   * (horizontal direction +x when the link is vertical or has no length).
   */
  private static double[] linkFrame(List<Vec3> points, int link) {
    Vec3 a = points.get(link);
    Vec3 b = points.get(link + 1);
    double dx = b.xM() - a.xM();
    double dy = b.yM() - a.yM();
    double dz = b.zM() - a.zM();
    double len = Math.sqrt(dx * dx + dy * dy + dz * dz);
    double ux = len > 1e-12 ? dx / len : 0;
    double uy = len > 1e-12 ? dy / len : 0;
    double uz = len > 1e-12 ? dz / len : 0;
    double hl = Math.hypot(dx, dy);
    double hx = hl > 1e-9 ? dx / hl : 1;
    double hy = hl > 1e-9 ? dy / hl : 0;
    return new double[] {a.xM(), a.yM(), a.zM(), ux, uy, uz, len, hx, hy};
  }

  /** A point on arm link {@code link} at world (x, y, z) with the arm at joints {@code q}. */
  static SurfacePoint onLink(int link, double[] q, double xM, double yM, double zM) {
    double[] fk = new double[8];
    Table.jointPositions(q, fk);
    double heading = 0;
    for (int i = 0; i <= link; i++) {
      heading += q[i];
    }
    double dx = xM - fk[2 * link];
    double dy = yM - fk[2 * link + 1];
    double c = Math.cos(heading);
    double s = Math.sin(heading);
    return new SurfacePoint(Surface.ARM, link, c * dx + s * dy, -s * dx + c * dy, zM);
  }
}
