package mantis.ros.msg;

/** {@code std_msgs/String}. */
public record RosString(String data) {
  public RosString {
    Checks.string(data, "data");
  }
}
