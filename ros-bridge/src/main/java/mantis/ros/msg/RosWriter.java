package mantis.ros.msg;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Growable little-endian buffer for ROS 1 serialization. */
final class RosWriter {
  private byte[] buf = new byte[64];
  private int size;

  private void ensure(int more) {
    if (buf.length - size < more) {
      long wanted = Math.max((long) buf.length * 2, (long) size + more);
      if (wanted > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("message too large to serialize: " + wanted + " bytes");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }

  void uint8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
  }

  void int8(int v) {
    uint8(v);
  }

  void bool(boolean v) {
    uint8(v ? 1 : 0);
  }

  void int32(int v) {
    ensure(4);
    buf[size++] = (byte) v;
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 24);
  }

  void uint32(long v) {
    int32((int) v);
  }

  void float64(double v) {
    long bits = Double.doubleToRawLongBits(v);
    int32((int) bits);
    int32((int) (bits >>> 32));
  }

  void bytes(byte[] data) {
    uint32(data.length);
    ensure(data.length);
    System.arraycopy(data, 0, buf, size, data.length);
    size += data.length;
  }

  /** Appends bytes as they are (no length prefix): an already encoded nested message. */
  void raw(byte[] data) {
    ensure(data.length);
    System.arraycopy(data, 0, buf, size, data.length);
    size += data.length;
  }

  void string(String s) {
    bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  void time(RosTime t) {
    uint32(t.secs());
    uint32(t.nsecs());
  }

  void duration(RosDuration d) {
    int32(d.secs());
    int32(d.nsecs());
  }

  void header(Header h) {
    uint32(h.seq());
    time(h.stamp());
    string(h.frameId());
  }

  void float64Array(List<Double> values) {
    uint32(values.size());
    float64Fixed(values);
  }

  void float64Fixed(List<Double> values) {
    for (double v : values) {
      float64(v);
    }
  }

  void stringArray(List<String> values) {
    uint32(values.size());
    for (String s : values) {
      string(s);
    }
  }

  /** The bytes written; the buffer itself when it is exactly full (no copy for big payloads). */
  byte[] toByteArray() {
    return size == buf.length ? buf : Arrays.copyOf(buf, size);
  }
}
