package mantis.ros.msg;

import java.util.List;

/**
 * {@code std_msgs/MultiArrayLayout}.
 *
 * @param dim the dimensions, outermost first
 * @param dataOffset padding elements at the front of the data, uint32
 */
public record MultiArrayLayout(List<MultiArrayDimension> dim, long dataOffset) {
  public MultiArrayLayout {
    dim = Checks.list(dim, "dim");
    Checks.uint32(dataOffset, "data_offset");
  }
}
