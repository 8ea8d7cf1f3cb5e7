package mantis.ros.msg;

/**
 * {@code std_msgs/Header}.
 *
 * @param seq sequence number, uint32
 * @param stamp acquisition time
 * @param frameId coordinate frame of the data
 */
public record Header(long seq, RosTime stamp, String frameId) {
  public Header {
    Checks.uint32(seq, "header.seq");
    java.util.Objects.requireNonNull(stamp, "header.stamp must not be null");
    Checks.string(frameId, "header.frame_id");
  }
}
