package mantis.calibration.kinematics;

import java.util.Objects;

/**
 * One joint of a URDF model.
 *
 * @param name joint name
 * @param type joint type
 * @param parentLink name of the parent link
 * @param childLink name of the child link
 * @param origin the joint frame in the parent link frame (URDF {@code <origin xyz rpy>})
 * @param axisX unit axis x in the joint frame (URDF {@code <axis>}, default (1, 0, 0))
 * @param axisY unit axis y
 * @param axisZ unit axis z
 * @param lower lower position limit (rad or m); -infinity when the joint has none
 * @param upper upper position limit (rad or m); +infinity when the joint has none
 * @param maxVelocity velocity limit (rad/s or m/s); +infinity when the URDF gives none
 * @param maxEffort effort limit (N m or N); +infinity when the URDF gives none
 */
public record UrdfJoint(
    String name,
    JointType type,
    String parentLink,
    String childLink,
    Transform origin,
    double axisX,
    double axisY,
    double axisZ,
    double lower,
    double upper,
    double maxVelocity,
    double maxEffort) {
  public UrdfJoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(parentLink, "parentLink");
    Objects.requireNonNull(childLink, "childLink");
    Objects.requireNonNull(origin, "origin");
  }
}
