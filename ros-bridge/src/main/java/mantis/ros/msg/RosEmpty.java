package mantis.ros.msg;

/** {@code std_msgs/Empty}: no fields; every instance is equal. */
public record RosEmpty() {
  /** The one value worth sharing. */
  public static final RosEmpty INSTANCE = new RosEmpty();
}
