package mantis.ros.msg;

/**
 * One ROS 1 message type: its name, md5sum and definition as exchanged in TCPROS connection
 * headers, and its serialization.
 *
 * @param <T> the record that holds one message of this type
 */
public interface RosMessageType<T> {

  /** The full type name, e.g. {@code "sensor_msgs/JointState"}. */
  String type();

  /** The 32-hex-digit md5sum that ROS 1 peers compare when they connect. */
  String md5sum();

  /**
   * The full message definition: this type's fields, then each message type it depends on after a
   * line of 80 {@code '='} and a {@code "MSG: pkg/Type"} line, as ROS sends it in the {@code
   * message_definition} connection header field.
   */
  String definition();

  /** Serializes one message (without the 4-byte frame length that TCPROS puts in front). */
  byte[] encode(T message);

  /**
   * Parses exactly one message from {@code bytes}.
   *
   * @throws InvalidMessageException if the bytes have the type's layout but hold a value the record
   *     rejects (unequal array lengths, nsecs above 999999999, ...)
   * @throws MessageFormatException if the bytes are truncated, hold an impossible length, or have
   *     bytes left over after the message
   */
  T decode(byte[] bytes);
}
