package mantis.ros.msg;

import java.util.List;
import java.util.Objects;

/**
 * {@code actionlib_msgs/GoalStatusArray}: an action server's goals, published on {@code
 * <ns>/status}.
 *
 * @param header stamp of the report
 * @param statusList one entry per goal the server still tracks
 */
public record GoalStatusArray(Header header, List<GoalStatus> statusList) {
  public GoalStatusArray {
    Objects.requireNonNull(header, "header must not be null");
    statusList = Checks.list(statusList, "status_list");
  }
}
