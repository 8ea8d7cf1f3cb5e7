package mantis.core.safety;

/**
 * Why the safety layer changed or replaced a command. Exported as a metric label ({@link
 * #label()}).
 */
public enum InterventionKind {
  /** A NaN or infinite value in a chunk or in the measured joint state. */
  NON_FINITE,
  /** The chunk's (or joint state's) joints do not match the robot's, by count, name or order. */
  WRONG_JOINT_COUNT,
  /**
   * A target (or the measured position) was outside the limits minus the margin and was clamped.
   */
  POSITION_LIMIT,
  /** A step asked for more than the joint's maximum speed and was slowed down. */
  VELOCITY_LIMIT,
  /**
   * A step asked for more than the joint's maximum acceleration, or would not have left room to
   * stop before a position limit, and was smoothed.
   */
  ACCELERATION_LIMIT,
  /** Points with non-positive, duplicate, out-of-order or too closely spaced times were dropped. */
  TIME_ORDER,
  /** The chunk's {@code validUntilNanos} had passed. */
  EXPIRED,
  /** The chunk had no points (or no usable point). */
  EMPTY_CHUNK,
  /** The e-stop is latched. */
  ESTOP,
  /** The watchdog saw no fresh command within its timeout and commanded a hold. */
  WATCHDOG_HOLD;

  /** Lower-case name, for metric labels ({@code position_limit}). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
