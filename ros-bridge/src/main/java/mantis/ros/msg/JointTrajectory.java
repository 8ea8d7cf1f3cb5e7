package mantis.ros.msg;

import java.util.List;
import java.util.Objects;

/**
 * {@code trajectory_msgs/JointTrajectory}. Every point's non-empty lists are one entry per joint
 * name.
 *
 * @param header stamp the points' {@code timeFromStart} counts from (zero means "now")
 * @param jointNames joint order of every point
 * @param points targets in time order
 */
public record JointTrajectory(
    Header header, List<String> jointNames, List<JointTrajectoryPoint> points) {
  public JointTrajectory {
    Objects.requireNonNull(header, "header must not be null");
    jointNames = Checks.list(jointNames, "joint_names");
    points = Checks.list(points, "points");
    int n = jointNames.size();
    for (int i = 0; i < points.size(); i++) {
      JointTrajectoryPoint p = points.get(i);
      String at = "points[" + i + "].";
      Checks.sameSizeOrEmpty(p.positions(), n, at + "positions", "joint_names");
      Checks.sameSizeOrEmpty(p.velocities(), n, at + "velocities", "joint_names");
      Checks.sameSizeOrEmpty(p.accelerations(), n, at + "accelerations", "joint_names");
      Checks.sameSizeOrEmpty(p.effort(), n, at + "effort", "joint_names");
    }
  }
}
