package mantis.ros.msg;

import java.util.Objects;

/**
 * {@code rosgraph_msgs/Clock}: the simulated time published on {@code /clock} (by a simulator, or
 * {@code rosbag play --clock}) for nodes that run with {@code /use_sim_time} true.
 *
 * @param clock the current time
 */
public record Clock(RosTime clock) {
  public Clock {
    Objects.requireNonNull(clock, "clock must not be null");
  }
}
