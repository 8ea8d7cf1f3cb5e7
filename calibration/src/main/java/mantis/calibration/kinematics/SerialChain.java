package mantis.calibration.kinematics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;

/**
 * An immutable serial chain from a base link to a tool link: the moving joints in order, each with
 * its fixed origin transform (fixed joints folded in), and the fixed transform from the last moving
 * joint's frame to the tool frame.
 *
 * @param name a name for messages (e.g. "ur5e.urdf base_link->tool0")
 * @param baseLink name of the base link
 * @param toolLink name of the tool link
 * @param joints the moving joints, base to tool
 * @param toolTransform the tool frame in the last moving joint's frame (or in the base frame when
 *     there is none)
 */
public record SerialChain(
    String name,
    String baseLink,
    String toolLink,
    List<ChainJoint> joints,
    Transform toolTransform) {
  public SerialChain {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(baseLink, "baseLink");
    Objects.requireNonNull(toolLink, "toolLink");
    Objects.requireNonNull(toolTransform, "toolTransform");
    joints = List.copyOf(joints);
    if (joints.isEmpty()) {
      throw new IllegalArgumentException(
          name + ": the chain from " + baseLink + " to " + toolLink + " has no moving joint");
    }
  }

  /** Number of moving joints. */
  public int jointCount() {
    return joints.size();
  }

  /** The joint names, base to tool. */
  public List<String> jointNames() {
    List<String> names = new ArrayList<>(joints.size());
    for (ChainJoint j : joints) {
      names.add(j.name());
    }
    return List.copyOf(names);
  }

  /** The joint at {@code index}. */
  public ChainJoint joint(int index) {
    return joints.get(index);
  }

  /**
   * The chain's limits as a core {@link RobotSpec}: every joint needs finite position and velocity
   * limits; URDF has no acceleration limit, so {@code maxAccelerationPerS2} is used for all joints.
   *
   * @throws IllegalArgumentException naming the first joint without usable limits
   */
  public RobotSpec robotSpec(String robotName, double maxAccelerationPerS2) {
    List<JointLimits> limits = new ArrayList<>(joints.size());
    for (ChainJoint j : joints) {
      limits.add(
          j.limits(maxAccelerationPerS2)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          name
                              + ": joint "
                              + j.name()
                              + " ("
                              + j.type().urdfName()
                              + ") has no finite position and velocity limits")));
    }
    return new RobotSpec(robotName, limits);
  }
}
