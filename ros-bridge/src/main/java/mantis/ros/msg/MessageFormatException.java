package mantis.ros.msg;

/** Thrown when bytes are not a valid serialized ROS 1 message of the expected type. */
public final class MessageFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MessageFormatException(String message) {
    super(message);
  }

  public MessageFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
