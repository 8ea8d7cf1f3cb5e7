package mantis.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A robot description: name and joint limits, in joint order. Loaded from YAML with {@link
 * RobotSpecs#load}.
 *
 * @param name robot name
 * @param joints joint limits, in the order used by joint states and action chunks
 */
public record RobotSpec(String name, List<JointLimits> joints) {
  public RobotSpec {
    Objects.requireNonNull(name, "name");
    joints = List.copyOf(Objects.requireNonNull(joints, "joints"));
    if (joints.isEmpty()) {
      throw new IllegalArgumentException("robot " + name + " has no joints");
    }
    var seen = new java.util.HashSet<String>();
    for (JointLimits j : joints) {
      if (!seen.add(j.name())) {
        throw new IllegalArgumentException("robot " + name + ": duplicate joint " + j.name());
      }
    }
  }

  public int jointCount() {
    return joints.size();
  }

  public JointLimits joint(int index) {
    return joints.get(index);
  }

  public List<String> jointNames() {
    List<String> names = new ArrayList<>(joints.size());
    for (JointLimits j : joints) {
      names.add(j.name());
    }
    return List.copyOf(names);
  }
}
