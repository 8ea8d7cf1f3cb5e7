package mantis.sim;

import java.util.List;

/**
 * The success predicates of the task families.
 *
 * <ul>
 *   <li>reach: the effector's centre within the object's half-size + the effector radius (0.02 m
 *       for the arm's pusher) of the object's centre, plus {@link Table#CONTACT_SLOP_M} because
 *       contact resolution leaves a touching pusher exactly at that distance;
 *   <li>push-direction: displaced at least 0.08 m along the direction, and the sideways
 *       displacement at most half the displacement along it (within about 27°);
 *   <li>push onto target: the object's centre inside the target square.
 * </ul>
 */
final class SuccessPredicates {
  static final double PUSH_MIN_DISPLACEMENT_M = 0.08;
  static final double PUSH_MAX_SIDEWAYS_RATIO = 0.5;

  private SuccessPredicates() {}

  static boolean holds(
      Task task, World world, List<TargetZone> targets, double ex, double ey, double er) {
    int k = indexOf(world, task.objectName());
    double ox = world.x[k];
    double oy = world.y[k];
    switch (task.family()) {
      case REACH:
        return Math.hypot(ex - ox, ey - oy) <= world.half[k] + er + Table.CONTACT_SLOP_M;
      case PUSH_DIRECTION:
        {
          PushDirection d = task.direction().orElseThrow();
          double mx = ox - task.startXM();
          double my = oy - task.startYM();
          double along = mx * d.dx() + my * d.dy();
          double side = Math.abs(-mx * d.dy() + my * d.dx());
          return along >= PUSH_MIN_DISPLACEMENT_M && side <= PUSH_MAX_SIDEWAYS_RATIO * along;
        }
      case PUSH_TO_TARGET:
        {
          String name = task.targetName().orElseThrow();
          for (TargetZone t : targets) {
            if (t.name().equals(name)) {
              return t.contains(ox, oy);
            }
          }
          throw new IllegalStateException("no target " + name);
        }
      default:
        throw new IllegalArgumentException(String.valueOf(task.family()));
    }
  }

  private static int indexOf(World world, String name) {
    for (int i = 0; i < world.n; i++) {
      if (world.spec.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("no object " + name);
  }
}
