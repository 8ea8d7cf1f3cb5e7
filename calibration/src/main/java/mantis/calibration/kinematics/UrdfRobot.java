package mantis.calibration.kinematics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed URDF model: links and joints (a tree). Immutable.
 *
 * @param source where the model came from (a file name), for messages
 * @param name the robot name
 * @param links link names, in file order
 * @param joints joints, in file order
 */
public record UrdfRobot(String source, String name, List<String> links, List<UrdfJoint> joints) {
  public UrdfRobot {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
    links = List.copyOf(links);
    joints = List.copyOf(joints);
  }

  /** The joint named {@code jointName}. */
  public UrdfJoint joint(String jointName) {
    for (UrdfJoint j : joints) {
      if (j.name().equals(jointName)) {
        return j;
      }
    }
    throw new IllegalArgumentException(source + ": no joint named " + jointName);
  }

  /** The root link: the one link that is no joint's child. */
  public String rootLink() {
    List<String> roots = new ArrayList<>();
    Map<String, UrdfJoint> parentJoint = parentJoints();
    for (String link : links) {
      if (!parentJoint.containsKey(link)) {
        roots.add(link);
      }
    }
    if (roots.size() != 1) {
      throw new IllegalArgumentException(
          source + ": a URDF needs exactly one root link, found " + roots);
    }
    return roots.get(0);
  }

  /**
   * The serial chain from the root link to the only leaf link.
   *
   * @throws IllegalArgumentException when the tree branches (then name the tool link)
   */
  public SerialChain serialChain() {
    String root = rootLink();
    Map<String, List<UrdfJoint>> children = childJoints();
    String link = root;
    while (true) {
      List<UrdfJoint> out = children.getOrDefault(link, List.of());
      if (out.isEmpty()) {
        return serialChain(root, link);
      }
      if (out.size() > 1) {
        List<String> names = new ArrayList<>();
        for (UrdfJoint j : out) {
          names.add(j.name());
        }
        throw new IllegalArgumentException(
            source
                + ": the tree branches at link "
                + link
                + " into joints "
                + names
                + "; name the base and tool links to pick one chain");
      }
      link = out.get(0).childLink();
    }
  }

  /**
   * The serial chain from {@code baseLink} to {@code toolLink}: the moving joints on the path, with
   * fixed joints folded into the next moving joint's origin or into the tool transform.
   *
   * @throws IllegalArgumentException when a link is unknown or the tool is not below the base
   */
  public SerialChain serialChain(String baseLink, String toolLink) {
    Objects.requireNonNull(baseLink, "baseLink");
    Objects.requireNonNull(toolLink, "toolLink");
    for (String link : List.of(baseLink, toolLink)) {
      if (!links.contains(link)) {
        throw new IllegalArgumentException(
            source + ": no link named " + link + " (links: " + links + ")");
      }
    }
    Map<String, UrdfJoint> parentJoint = parentJoints();
    List<UrdfJoint> path = new ArrayList<>();
    String link = toolLink;
    while (!link.equals(baseLink)) {
      UrdfJoint j = parentJoint.get(link);
      if (j == null) {
        throw new IllegalArgumentException(
            source
                + ": no chain from "
                + baseLink
                + " to "
                + toolLink
                + " (walking up from "
                + toolLink
                + " reached the root "
                + link
                + " without meeting "
                + baseLink
                + ")");
      }
      path.add(j);
      link = j.parentLink();
    }
    Collections.reverse(path);
    List<ChainJoint> chainJoints = new ArrayList<>();
    Transform pending = Transform.IDENTITY;
    for (UrdfJoint j : path) {
      pending = pending.then(j.origin());
      if (j.type().moves()) {
        chainJoints.add(
            new ChainJoint(
                j.name(),
                j.type(),
                pending,
                j.axisX(),
                j.axisY(),
                j.axisZ(),
                j.lower(),
                j.upper(),
                j.maxVelocity(),
                j.maxEffort()));
        pending = Transform.IDENTITY;
      }
    }
    String chainName = source + " " + baseLink + "->" + toolLink;
    if (chainJoints.isEmpty()) {
      throw new IllegalArgumentException(
          chainName + ": the chain from " + baseLink + " to " + toolLink + " has no moving joint");
    }
    return new SerialChain(chainName, baseLink, toolLink, chainJoints, pending);
  }

  private Map<String, UrdfJoint> parentJoints() {
    Map<String, UrdfJoint> parentJoint = new HashMap<>();
    for (UrdfJoint j : joints) {
      parentJoint.put(j.childLink(), j);
    }
    return parentJoint;
  }

  private Map<String, List<UrdfJoint>> childJoints() {
    Map<String, List<UrdfJoint>> children = new LinkedHashMap<>();
    for (UrdfJoint j : joints) {
      children.computeIfAbsent(j.parentLink(), k -> new ArrayList<>()).add(j);
    }
    return children;
  }
}
