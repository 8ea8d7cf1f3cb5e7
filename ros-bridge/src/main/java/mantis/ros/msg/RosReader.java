package mantis.ros.msg;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Little-endian reader over one serialized message. Every length prefix is checked against the
 * bytes left before anything is allocated, so a forged length cannot cause a large allocation.
 */
final class RosReader {
  /** Reads one element of a message array. */
  interface ElementReader<E> {
    E read(RosReader in);
  }

  private final byte[] buf;
  private int pos;

  RosReader(byte[] buf) {
    this.buf = buf;
  }

  int remaining() {
    return buf.length - pos;
  }

  private void need(long n, String what) {
    if (n > remaining()) {
      throw new MessageFormatException(
          "truncated message: "
              + what
              + " needs "
              + n
              + " bytes at offset "
              + pos
              + " but only "
              + remaining()
              + " remain");
    }
  }

  int uint8(String what) {
    need(1, what);
    return buf[pos++] & 0xFF;
  }

  int int8(String what) {
    need(1, what);
    return buf[pos++];
  }

  boolean bool(String what) {
    return uint8(what) != 0;
  }

  int int32(String what) {
    need(4, what);
    int v =
        (buf[pos] & 0xFF)
            | (buf[pos + 1] & 0xFF) << 8
            | (buf[pos + 2] & 0xFF) << 16
            | (buf[pos + 3] & 0xFF) << 24;
    pos += 4;
    return v;
  }

  long uint32(String what) {
    return int32(what) & 0xFFFFFFFFL;
  }

  double float64(String what) {
    need(8, what);
    long lo = int32(what) & 0xFFFFFFFFL;
    long hi = int32(what) & 0xFFFFFFFFL;
    return Double.longBitsToDouble(hi << 32 | lo);
  }

  /** Reads an array length and checks that {@code count * minElementBytes} bytes remain. */
  int length(String what, int minElementBytes) {
    int start = pos;
    long count = uint32(what + " length");
    if (count * minElementBytes > remaining()) {
      throw new MessageFormatException(
          "bad length prefix for "
              + what
              + " at offset "
              + start
              + ": "
              + count
              + " elements of at least "
              + minElementBytes
              + " bytes, but only "
              + remaining()
              + " bytes remain");
    }
    return (int) count;
  }

  byte[] bytes(String what) {
    int n = length(what, 1);
    byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  String string(String what) {
    int n = length(what, 1);
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  RosTime time(String what) {
    return new RosTime(uint32(what + ".secs"), uint32(what + ".nsecs"));
  }

  RosDuration duration(String what) {
    return new RosDuration(int32(what + ".secs"), int32(what + ".nsecs"));
  }

  Header header() {
    long seq = uint32("header.seq");
    RosTime stamp = time("header.stamp");
    return new Header(seq, stamp, string("header.frame_id"));
  }

  List<Double> float64Array(String what) {
    return float64Fixed(what, length(what, 8));
  }

  List<Double> float64Fixed(String what, int count) {
    need((long) count * 8, what);
    List<Double> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(float64(what));
    }
    return out;
  }

  List<String> stringArray(String what) {
    int n = length(what, 4);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(string(what + "[" + i + "]"));
    }
    return out;
  }

  <E> List<E> array(String what, int minElementBytes, ElementReader<E> element) {
    int n = length(what, minElementBytes);
    List<E> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(element.read(this));
    }
    return out;
  }

  void expectEnd(String type) {
    if (remaining() != 0) {
      throw new MessageFormatException(
          remaining()
              + " trailing bytes after a complete "
              + type
              + " message of "
              + pos
              + " bytes");
    }
  }
}
