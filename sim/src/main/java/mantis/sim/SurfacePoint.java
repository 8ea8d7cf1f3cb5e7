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
 *     0..2 (ARM); -1 otherwise
 * @param localXM first coordinate in the surface's frame, metres: table x (TABLE), offset from the
 *     object's centre in x (OBJECT, SHADOW) or from the palm centre (HAND), distance along the link
 *     from its proximal joint (ARM)
 * @param localYM second coordinate: table y, offset in y, or distance to the left of the link's
 *     axis
 * @param zM height of the point above the table, metres
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
          double[] fk = new double[8];
          double[] q = state.jointPositionsRad();
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
