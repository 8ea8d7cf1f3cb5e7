package mantis.ros.msg;

/**
 * The bytes parse as the expected type, field by field, but a value breaks the record's rules: a
 * {@code sensor_msgs/JointState} with 3 names and 2 positions, a {@code time} with nsecs above
 * 999999999, an image whose data is shorter than its rows. The message is unusable, but the stream
 * it came from is still in step: a subscriber drops this one message and reads on.
 */
public final class InvalidMessageException extends MessageFormatException {
  private static final long serialVersionUID = 1L;

  public InvalidMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
