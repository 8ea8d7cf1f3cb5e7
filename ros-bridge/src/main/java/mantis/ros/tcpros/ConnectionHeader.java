package mantis.ros.tcpros;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A TCPROS connection header: an ordered set of {@code key=value} fields. On the wire: a uint32
 * (little-endian) total length, then each field as a uint32 length and {@code key=value} bytes,
 * split at the first {@code '='}. Immutable.
 */
public final class ConnectionHeader {
  private final Map<String, String> fields;

  private ConnectionHeader(Map<String, String> fields) {
    this.fields = Collections.unmodifiableMap(fields);
  }

  /**
   * A header with these fields, in the map's iteration order.
   *
   * @throws IllegalArgumentException for an empty key or a key containing {@code '='}
   */
  public static ConnectionHeader of(Map<String, String> fields) {
    Objects.requireNonNull(fields, "fields");
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      String k = Objects.requireNonNull(e.getKey(), "key");
      String v = Objects.requireNonNull(e.getValue(), () -> "value of " + k);
      if (k.isEmpty() || k.indexOf('=') >= 0) {
        throw new IllegalArgumentException("header key must be non-empty without '=': '" + k + "'");
      }
      copy.put(k, v);
    }
    return new ConnectionHeader(copy);
  }

  /** The fields, in order; unmodifiable. */
  public Map<String, String> fields() {
    return fields;
  }

  /** The value of {@code key}, if present. */
  public Optional<String> get(String key) {
    return Optional.ofNullable(fields.get(key));
  }

  /** The wire form, including the 4-byte total length in front. */
  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    byte[] len = new byte[4];
    out.write(len, 0, 4); // total length, patched below
    for (Map.Entry<String, String> e : fields.entrySet()) {
      byte[] f = (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8);
      Wire.putUint32(len, 0, f.length);
      out.write(len, 0, 4);
      out.write(f, 0, f.length);
    }
    byte[] b = out.toByteArray();
    Wire.putUint32(b, 0, b.length - 4L);
    return b;
  }

  /**
   * Reads one header from {@code in}. The total length is checked against {@code maxBytes} before
   * anything is allocated; each field length against what is left of the header.
   *
   * @throws MalformedHeaderException for a stream that ends early, an empty or oversized header, a
   *     field length that overruns the header, stray bytes, a field without {@code '='} or with an
   *     empty key
   * @throws IOException for other I/O failures (e.g. a read timeout)
   */
  public static ConnectionHeader read(InputStream in, int maxBytes) throws IOException {
    long total;
    try {
      total = Wire.readUint32(in, "connection header length");
    } catch (EOFException e) {
      throw new MalformedHeaderException(e.getMessage());
    }
    if (total < 0) {
      throw new MalformedHeaderException("connection closed before a connection header was sent");
    }
    if (total == 0) {
      throw new MalformedHeaderException("empty connection header (length 0)");
    }
    if (total > maxBytes) {
      throw new MalformedHeaderException(
          "connection header length " + total + " exceeds the limit of " + maxBytes + " bytes");
    }
    byte[] b;
    try {
      b = Wire.readExactly(in, (int) total, "connection header");
    } catch (EOFException e) {
      throw new MalformedHeaderException(e.getMessage());
    }
    Map<String, String> fields = new LinkedHashMap<>();
    int pos = 0;
    int index = 0;
    while (pos < b.length) {
      index++;
      int left = b.length - pos;
      if (left < 4) {
        throw new MalformedHeaderException(
            left + " stray byte(s) after field " + (index - 1) + " of the connection header");
      }
      long len = Wire.getUint32(b, pos);
      pos += 4;
      if (len > b.length - pos) {
        throw new MalformedHeaderException(
            "connection header field "
                + index
                + " claims "
                + len
                + " bytes but only "
                + (b.length - pos)
                + " remain");
      }
      String field = new String(b, pos, (int) len, StandardCharsets.UTF_8);
      pos += (int) len;
      int eq = field.indexOf('=');
      if (eq < 0) {
        throw new MalformedHeaderException(
            "connection header field " + index + " (" + printable(field) + ") has no '='");
      }
      if (eq == 0) {
        throw new MalformedHeaderException(
            "connection header field " + index + " (" + printable(field) + ") has an empty key");
      }
      fields.put(field.substring(0, eq), field.substring(eq + 1));
    }
    return new ConnectionHeader(fields);
  }

  /** At most 40 characters, control characters escaped, for error messages and logs. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder("'");
    for (int i = 0; i < s.length() && i < 40; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append(s.length() > 40 ? "'..." : "'").toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConnectionHeader h && fields.equals(h.fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    Map<String, String> shown = new LinkedHashMap<>(fields);
    shown.computeIfPresent("message_definition", (k, v) -> "<" + v.length() + " chars>");
    return "ConnectionHeader" + shown;
  }
}
