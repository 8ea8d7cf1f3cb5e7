package mantis.ros.msg;

import java.util.List;
import java.util.Objects;

/** Argument checks shared by the message records. */
final class Checks {
  static final long UINT32_MAX = 0xFFFFFFFFL;

  private Checks() {}

  static long uint32(long value, String name) {
    if (value < 0 || value > UINT32_MAX) {
      throw new IllegalArgumentException(
          name + " must fit in uint32 [0, 4294967295], got " + value);
    }
    return value;
  }

  static int uint8(int value, String name) {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException(name + " must fit in uint8 [0, 255], got " + value);
    }
    return value;
  }

  static String string(String value, String name) {
    return Objects.requireNonNull(value, name + " must not be null");
  }

  /** Immutable copy; rejects a null list or null elements with a message naming the field. */
  static <E> List<E> list(List<E> values, String name) {
    Objects.requireNonNull(values, name + " must not be null");
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) == null) {
        throw new NullPointerException(name + "[" + i + "] must not be null");
      }
    }
    return List.copyOf(values);
  }

  static List<Double> fixed(List<Double> values, int size, String name) {
    List<Double> copy = list(values, name);
    if (copy.size() != size) {
      throw new IllegalArgumentException(
          name + " must have exactly " + size + " elements, got " + copy.size());
    }
    return copy;
  }

  static List<Double> sameSizeOrEmpty(List<Double> values, int size, String name, String other) {
    List<Double> copy = list(values, name);
    if (!copy.isEmpty() && copy.size() != size) {
      throw new IllegalArgumentException(
          name + " must be empty or as long as " + other + " (" + size + "), got " + copy.size());
    }
    return copy;
  }
}
