package mantis.ros.msg;

import java.util.List;
import java.util.Objects;

/**
 * {@code rosgraph_msgs/Log}: one log line as nodes publish it on {@code /rosout} (which {@code
 * rqt_console}, {@code rosout.log} and {@code /rosout_agg} read).
 *
 * @param header {@code stamp}: when it was logged (ROS time)
 * @param level one of {@link #DEBUG}, {@link #INFO}, {@link #WARN}, {@link #ERROR}, {@link #FATAL}
 *     (a ROS {@code byte}: any int8 decodes)
 * @param name the node's name, e.g. {@code /mantis_bridge}
 * @param msg the text
 * @param file the source file that logged it, or empty
 * @param function the function (for Java: {@code Class.method}) that logged it, or empty
 * @param line the source line, uint32; 0 when unknown
 * @param topics the topics the node publishes
 */
public record Log(
    Header header,
    int level,
    String name,
    String msg,
    String file,
    String function,
    long line,
    List<String> topics) {
  public static final int DEBUG = 1;
  public static final int INFO = 2;
  public static final int WARN = 4;
  public static final int ERROR = 8;
  public static final int FATAL = 16;

  public Log {
    Objects.requireNonNull(header, "header must not be null");
    if (level < Byte.MIN_VALUE || level > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("level must fit in a ROS byte (int8), got " + level);
    }
    Checks.string(name, "name");
    Checks.string(msg, "msg");
    Checks.string(file, "file");
    Checks.string(function, "function");
    Checks.uint32(line, "line");
    topics = Checks.list(topics, "topics");
  }
}
