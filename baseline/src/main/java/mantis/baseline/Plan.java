package mantis.baseline;

import java.util.List;
import mantis.calibration.TablePoint;

/**
 * Where the tip should go next: a polyline of table points (starting after the current tip) and the
 * speed to travel it at; plus the path the instructed object is expected to follow, for the trace.
 *
 * @param waypoints tip waypoints, metres; empty to hold still
 * @param speedMPerS cruising tip speed
 * @param objectPath expected object path, first point = now; may be empty
 * @param note short description for logs ("approach", "push", "done", ...)
 * @param headingRad preferred heading of the last link at the end of the move (the arm trails
 *     behind the tip, out of the camera's view of the object); NaN when free
 */
record Plan(
    List<TablePoint> waypoints,
    double speedMPerS,
    List<TablePoint> objectPath,
    String note,
    double headingRad) {
  Plan {
    waypoints = List.copyOf(waypoints);
    objectPath = List.copyOf(objectPath);
  }

  static Plan hold(String note) {
    return new Plan(List.of(), 0, List.of(), note, Double.NaN);
  }
}
