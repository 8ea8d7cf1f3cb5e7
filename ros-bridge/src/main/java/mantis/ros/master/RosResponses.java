package mantis.ros.master;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Checks ROS {@code [code, statusMessage, value]} answers and converts their values. */
public final class RosResponses {
  private RosResponses() {}

  /**
   * The value of a ROS answer; throws {@link RosMasterException} for a code other than 1 and an
   * IOException when the answer is not a 3-element array starting with an int.
   */
  public static Object value(String method, Object answer) throws IOException {
    if (!(answer instanceof List<?> l) || l.size() != 3 || !(l.get(0) instanceof Integer code)) {
      throw new IOException(
          method + ": expected a ROS answer [code, statusMessage, value], got " + shorten(answer));
    }
    if (code != 1) {
      throw new RosMasterException(method, code, String.valueOf(l.get(1)));
    }
    return l.get(2);
  }

  /** {@code v} as a list of strings. */
  public static List<String> strings(String method, Object v) throws IOException {
    List<String> out = new ArrayList<>();
    for (Object o : list(method, v)) {
      if (!(o instanceof String s)) {
        throw new IOException(method + ": expected a list of strings, got " + shorten(v));
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** {@code v} as a list. */
  public static List<?> list(String method, Object v) throws IOException {
    if (!(v instanceof List<?> l)) {
      throw new IOException(method + ": expected a list, got " + shorten(v));
    }
    return l;
  }

  static String shorten(Object o) {
    String s = String.valueOf(o);
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
