package mantis.ros.msg;

/**
 * ROS 1 {@code duration}: signed seconds and nanoseconds. ROS keeps {@code nsecs} in [0, 999999999]
 * and carries the sign in {@code secs}; so does this record.
 *
 * @param secs seconds, int32
 * @param nsecs nanoseconds, [0, 999999999]
 */
public record RosDuration(int secs, int nsecs) {
  public static final RosDuration ZERO = new RosDuration(0, 0);

  public RosDuration {
    if (nsecs < 0 || nsecs > 999_999_999) {
      throw new IllegalArgumentException("duration.nsecs must be in [0, 999999999], got " + nsecs);
    }
  }

  /** The duration of {@code nanos} nanoseconds (may be negative). */
  public static RosDuration ofNanos(long nanos) {
    long secs = Math.floorDiv(nanos, 1_000_000_000L);
    if (secs < Integer.MIN_VALUE || secs > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("duration out of int32 seconds: " + nanos + " ns");
    }
    return new RosDuration((int) secs, (int) Math.floorMod(nanos, 1_000_000_000L));
  }

  public long toNanos() {
    return secs * 1_000_000_000L + nsecs;
  }
}
