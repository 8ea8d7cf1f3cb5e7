package mantis.ros.msg;

/** {@code std_msgs/Bool}. */
public record RosBool(boolean data) {}
