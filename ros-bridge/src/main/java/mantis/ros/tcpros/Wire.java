package mantis.ros.tcpros;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

/** Little-endian framing helpers shared by both sides. */
final class Wire {
  /** Connection ids for {@link BusConnection}, unique in this JVM. */
  static final AtomicInteger IDS = new AtomicInteger();

  /** Frames above this size are read in chunks, so a lying length prefix costs little memory. */
  private static final int PREALLOCATE_LIMIT = 4 * 1024 * 1024;

  private Wire() {}

  static void putUint32(byte[] b, int off, long v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  static long getUint32(byte[] b, int off) {
    return (b[off] & 0xFFL)
        | (b[off + 1] & 0xFFL) << 8
        | (b[off + 2] & 0xFFL) << 16
        | (b[off + 3] & 0xFFL) << 24;
  }

  /**
   * Writes one frame, the 4-byte length then the payload, into a {@link
   * java.io.BufferedOutputStream} of {@code bufferBytes} without copying the whole payload: the
   * length and the payload's head fill the buffer, a large rest goes straight to the socket. No
   * write is smaller than the buffer unless the whole frame fits in it.
   */
  static void writeFrame(
      java.io.OutputStream out, byte[] lengthScratch, byte[] payload, int bufferBytes)
      throws IOException {
    putUint32(lengthScratch, 0, payload.length);
    out.write(lengthScratch, 0, 4);
    int head = Math.min(payload.length, bufferBytes - 4);
    out.write(payload, 0, head);
    if (head < payload.length) {
      out.write(payload, head, payload.length - head);
    }
  }

  /**
   * Reads a uint32 length prefix.
   *
   * @return the value, or -1 on a clean end of stream before its first byte
   * @throws EOFException if the stream ends inside the prefix
   */
  static long readUint32(InputStream in, String what) throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return -1;
    }
    byte[] rest = new byte[3];
    int n = in.readNBytes(rest, 0, 3);
    if (n < 3) {
      throw new EOFException("truncated " + what + ": got " + (1 + n) + " of 4 bytes");
    }
    return (b0 & 0xFFL)
        | (rest[0] & 0xFFL) << 8
        | (rest[1] & 0xFFL) << 16
        | (rest[2] & 0xFFL) << 24;
  }

  /**
   * Reads exactly {@code len} bytes (already checked against a limit by the caller).
   *
   * @throws EOFException naming how many bytes came if the stream ends first
   */
  static byte[] readExactly(InputStream in, int len, String what) throws IOException {
    if (len <= PREALLOCATE_LIMIT) {
      byte[] b = new byte[len];
      int n = in.readNBytes(b, 0, len);
      if (n < len) {
        throw new EOFException("truncated " + what + ": got " + n + " of " + len + " bytes");
      }
      return b;
    }
    byte[] b = in.readNBytes(len); // grows as bytes actually arrive
    if (b.length < len) {
      throw new EOFException("truncated " + what + ": got " + b.length + " of " + len + " bytes");
    }
    return b;
  }
}
