package mantis.ros.msg;

/**
 * ROS 1 {@code time}: unsigned seconds and nanoseconds since the epoch.
 *
 * @param secs seconds, uint32
 * @param nsecs nanoseconds within the second, [0, 999999999]
 */
public record RosTime(long secs, long nsecs) {
  public static final RosTime ZERO = new RosTime(0, 0);

  public RosTime {
    Checks.uint32(secs, "time.secs");
    if (nsecs < 0 || nsecs > 999_999_999L) {
      throw new IllegalArgumentException("time.nsecs must be in [0, 999999999], got " + nsecs);
    }
  }

  /** The time {@code nanos} nanoseconds after the epoch. */
  public static RosTime ofNanos(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException(
          "ROS time cannot be before the epoch, got " + nanos + " ns");
    }
    return new RosTime(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
  }

  public long toNanos() {
    return secs * 1_000_000_000L + nsecs;
  }
}
