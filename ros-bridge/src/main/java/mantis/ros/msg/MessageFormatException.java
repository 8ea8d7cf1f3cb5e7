package mantis.ros.msg;

/**
 * Thrown when bytes are not a valid serialized ROS 1 message of the expected type. The subclass
 * {@link InvalidMessageException} marks bytes that do have the type's layout but hold values its
 * record rejects; any other instance means the bytes do not even have the layout (truncated, a
 * length prefix past the end, trailing bytes).
 */
public class MessageFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MessageFormatException(String message) {
    super(message);
  }

  public MessageFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
