package mantis.core.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a seed input for a fuzz test that reads its data with Jazzer's {@code FuzzedDataProvider}:
 * the integral choices the test will consume, in the order it consumes them, become the bytes that
 * provider reads them from (Jazzer 0.30's layout: integral values are taken from the end of the
 * data, most significant byte first, as many bytes as the range needs; see {@link #l}). Only
 * integral values: {@code consumeInt(min, max)}, {@code consumeLong(min, max)}, {@code
 * consumeBoolean()}, {@code pickValue} (an index). When the data runs out every further choice
 * reads as its minimum. Seed writers check the result against the real provider before writing it.
 */
public final class FdpSeed {
  private final List<byte[]> choices = new ArrayList<>();

  /** The next {@code consumeInt(min, max)} returns {@code value}. */
  public FdpSeed i(int value, int min, int max) {
    return l(value, min, max);
  }

  /**
   * The next {@code consumeLong(min, max)} returns {@code value}. Jazzer reads as many bytes as the
   * range needs into a raw value {@code r}; it returns {@code r} itself when that lies in [min,
   * max], else {@code min + r % (max - min + 1)}.
   */
  public FdpSeed l(long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(value + " is not in [" + min + ", " + max + "]");
    }
    long range = max - min; // unsigned
    int bytes = 0;
    while (bytes < 8 && (range >>> (8 * bytes)) != 0) {
      bytes++;
    }
    long raw;
    if (fits(value, bytes)) {
      raw = value;
    } else {
      // Past the range, landing on the value modulo the range.
      raw = value - min;
      while (raw >= min && raw <= max) {
        raw += range + 1;
        if (!fits(raw, bytes) || raw < 0) {
          throw new IllegalArgumentException(
              value + " in [" + min + ", " + max + "] has no " + bytes + "-byte form");
        }
      }
    }
    // Consumed from the end, most significant first: in data order the raw value is little-endian.
    byte[] b = new byte[bytes];
    for (int k = 0; k < bytes; k++) {
      b[k] = (byte) (raw >>> (8 * k));
    }
    choices.add(b);
    return this;
  }

  private static boolean fits(long raw, int bytes) {
    return bytes == 8 || (raw >= 0 && raw >>> (8 * bytes) == 0);
  }

  /** The next {@code consumeBoolean()} returns {@code value}. */
  public FdpSeed b(boolean value) {
    choices.add(new byte[] {(byte) (value ? 1 : 0)});
    return this;
  }

  /** The bytes: the choices laid out back to front. */
  public byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = choices.size() - 1; i >= 0; i--) {
      byte[] c = choices.get(i);
      out.write(c, 0, c.length);
    }
    return out.toByteArray();
  }
}
