package mantis.ros.node;

import java.util.regex.Pattern;

/** ROS graph resource names: validation and resolution (see {@link RosNode}'s class doc). */
final class Names {
  /** One segment: a letter, then letters, digits and underscores. */
  private static final String SEGMENT = "[A-Za-z][A-Za-z0-9_]*";

  private static final Pattern GLOBAL = Pattern.compile("(/" + SEGMENT + ")+");
  private static final Pattern RELATIVE = Pattern.compile(SEGMENT + "(/" + SEGMENT + ")*");

  private Names() {}

  /** A node name made global ({@code mantis_bridge} → {@code /mantis_bridge}). */
  static String nodeName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("node name must not be empty");
    }
    String global = name.startsWith("/") ? name : "/" + name;
    if (!GLOBAL.matcher(global).matches()) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' is not a valid ROS node name: each"
              + " '/'-separated part must start with a letter and hold only letters, digits and '_'"
              + " (no '~', no '//', no trailing '/')");
    }
    return global;
  }

  /**
   * Resolves a topic or parameter name for node {@code nodeName}: {@code /a/b} is kept, {@code a/b}
   * becomes {@code /a/b}, {@code ~a} becomes {@code <node>/a}.
   */
  static String resolve(String nodeName, String name, String what) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(what + " name must not be empty");
    }
    String resolved;
    if (name.startsWith("~")) {
      String rest = name.substring(1);
      resolved = RELATIVE.matcher(rest).matches() ? nodeName + "/" + rest : null;
    } else if (name.startsWith("/")) {
      resolved = GLOBAL.matcher(name).matches() ? name : null;
    } else {
      resolved = RELATIVE.matcher(name).matches() ? "/" + name : null;
    }
    if (resolved == null) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' is not a valid ROS "
              + what
              + " name:"
              + " each '/'-separated part must start with a letter and hold only letters, digits and"
              + " '_'; '~' is allowed only first (private names)");
    }
    return resolved;
  }
}
