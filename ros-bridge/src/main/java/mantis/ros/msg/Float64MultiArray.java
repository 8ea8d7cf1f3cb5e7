package mantis.ros.msg;

import java.util.List;

/** {@code std_msgs/Float64MultiArray}. */
public record Float64MultiArray(MultiArrayLayout layout, List<Double> data) {
  public Float64MultiArray {
    java.util.Objects.requireNonNull(layout, "layout must not be null");
    data = Checks.list(data, "data");
  }
}
