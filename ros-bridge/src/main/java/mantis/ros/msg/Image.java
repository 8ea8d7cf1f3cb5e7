package mantis.ros.msg;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code sensor_msgs/Image}: an uncompressed image. Immutable: the constructor copies the pixel
 * array in and {@link #data()} copies it out. Camera-rate code that cannot afford the copies uses
 * {@link #wrap}, which takes ownership of the array, and {@link #dataView()}, a read-only view.
 * Decoded images own their array, so reading them costs no copy either.
 *
 * <p>Fields: {@code header} (acquisition time and camera optical frame), {@code height} (rows,
 * uint32), {@code width} (columns, uint32), {@code encoding} (e.g. {@code "rgb8"}), {@code
 * isBigendian} (the {@code is_bigendian} byte, uint8), {@code stepBytes} (bytes per row, uint32)
 * and {@code data} ({@code stepBytes * height} bytes for a well-formed image).
 */
public final class Image {
  private final Header header;
  private final long height;
  private final long width;
  private final String encoding;
  private final int isBigendian;
  private final long stepBytes;
  private final byte[] data;

  /** An image holding a copy of {@code data}. */
  public Image(
      Header header,
      long height,
      long width,
      String encoding,
      int isBigendian,
      long stepBytes,
      byte[] data) {
    this(
        header,
        height,
        width,
        encoding,
        isBigendian,
        stepBytes,
        Objects.requireNonNull(data, "data must not be null").clone(),
        true);
  }

  private Image(
      Header header,
      long height,
      long width,
      String encoding,
      int isBigendian,
      long stepBytes,
      byte[] owned,
      boolean unused) {
    this.header = Objects.requireNonNull(header, "header must not be null");
    this.height = Checks.uint32(height, "height");
    this.width = Checks.uint32(width, "width");
    this.encoding = Checks.string(encoding, "encoding");
    this.isBigendian = Checks.uint8(isBigendian, "is_bigendian");
    this.stepBytes = Checks.uint32(stepBytes, "step");
    this.data = Objects.requireNonNull(owned, "data must not be null");
  }

  /**
   * An image that takes ownership of {@code data} without copying it: the caller must not modify
   * the array afterwards (the message may still be queued for sending).
   */
  public static Image wrap(
      Header header,
      long height,
      long width,
      String encoding,
      int isBigendian,
      long stepBytes,
      byte[] data) {
    return new Image(header, height, width, encoding, isBigendian, stepBytes, data, true);
  }

  public Header header() {
    return header;
  }

  public long height() {
    return height;
  }

  public long width() {
    return width;
  }

  public String encoding() {
    return encoding;
  }

  public int isBigendian() {
    return isBigendian;
  }

  public long stepBytes() {
    return stepBytes;
  }

  /** A copy of the pixel bytes. */
  public byte[] data() {
    return data.clone();
  }

  /** The pixel bytes as a read-only view, without copying. */
  public ByteBuffer dataView() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer();
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
    return o instanceof Image other
        && header.equals(other.header)
        && height == other.height
        && width == other.width
        && encoding.equals(other.encoding)
        && isBigendian == other.isBigendian
        && stepBytes == other.stepBytes
        && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(header, height, width, encoding, isBigendian, stepBytes) * 31
        + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Image[header="
        + header
        + ", height="
        + height
        + ", width="
        + width
        + ", encoding="
        + encoding
        + ", isBigendian="
        + isBigendian
        + ", stepBytes="
        + stepBytes
        + ", data="
        + data.length
        + " bytes]";
  }
}
