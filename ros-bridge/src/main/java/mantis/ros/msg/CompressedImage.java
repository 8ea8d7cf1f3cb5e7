package mantis.ros.msg;

import java.util.Arrays;
import java.util.Objects;

/**
 * {@code sensor_msgs/CompressedImage}. The data array is copied in and out.
 *
 * @param header acquisition time and camera optical frame
 * @param format compression format, e.g. {@code "jpeg"} or {@code "png"}
 * @param data the compressed image
 */
public record CompressedImage(Header header, String format, byte[] data) {
  public CompressedImage {
    Objects.requireNonNull(header, "header must not be null");
    Checks.string(format, "format");
    data = Objects.requireNonNull(data, "data must not be null").clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  byte[] dataUnsafe() {
    return data;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompressedImage other
        && header.equals(other.header)
        && format.equals(other.format)
        && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(header, format) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "CompressedImage[header="
        + header
        + ", format="
        + format
        + ", data="
        + data.length
        + " bytes]";
  }
}
