package mantis.ros.msg;

import java.util.Arrays;
import java.util.Objects;

/**
 * {@code sensor_msgs/Image}: an uncompressed image. The data array is copied in and out.
 *
 * @param header acquisition time and camera optical frame
 * @param height rows, uint32
 * @param width columns, uint32
 * @param encoding pixel encoding, e.g. {@code "rgb8"}
 * @param isBigendian the {@code is_bigendian} byte, uint8 (0 or 1 in practice)
 * @param stepBytes bytes per row, uint32
 * @param data pixel bytes, {@code stepBytes * height} long for a well-formed image
 */
public record Image(
    Header header, long height, long width, String encoding, int isBigendian, long stepBytes,
    byte[] data) {
  public Image {
    Objects.requireNonNull(header, "header must not be null");
    Checks.uint32(height, "height");
    Checks.uint32(width, "width");
    Checks.string(encoding, "encoding");
    Checks.uint8(isBigendian, "is_bigendian");
    Checks.uint32(stepBytes, "step");
    data = Objects.requireNonNull(data, "data must not be null").clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** The data length without copying. */
  public int dataLength() {
    return data.length;
  }

  byte[] dataUnsafe() {
    return data;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Image other && header.equals(other.header) && height == other.height
        && width == other.width && encoding.equals(other.encoding)
        && isBigendian == other.isBigendian && stepBytes == other.stepBytes
        && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(header, height, width, encoding, isBigendian, stepBytes)
        * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Image[header=" + header + ", height=" + height + ", width=" + width + ", encoding="
        + encoding + ", isBigendian=" + isBigendian + ", stepBytes=" + stepBytes + ", data="
        + data.length + " bytes]";
  }
}
