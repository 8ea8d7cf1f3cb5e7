package mantis.core;

import java.util.Objects;

/**
 * One decoded camera image, RGB8, row-major, 3 bytes per pixel, top-left origin.
 *
 * <p>The pixel array is copied on construction and on {@link #rgb()}; use {@link #rgbUnsafe()} on
 * hot paths that promise not to modify it.
 */
public final class Frame {
  /** Largest accepted side, in pixels. */
  public static final int MAX_SIDE_PX = 8192;

  private final int widthPx;
  private final int heightPx;
  private final byte[] rgb;

  private Frame(int widthPx, int heightPx, byte[] rgb) {
    this.widthPx = widthPx;
    this.heightPx = heightPx;
    this.rgb = rgb;
  }

  /** Wraps a copy of {@code rgb}; validates the size. */
  public static Frame ofRgb(int widthPx, int heightPx, byte[] rgb) {
    Objects.requireNonNull(rgb, "rgb");
    checkSize(widthPx, heightPx);
    long expected = (long) widthPx * heightPx * 3;
    if (rgb.length != expected) {
      throw new IllegalArgumentException(
          "raw RGB8 frame of "
              + widthPx
              + "x"
              + heightPx
              + " needs "
              + expected
              + " bytes, got "
              + rgb.length);
    }
    return new Frame(widthPx, heightPx, rgb.clone());
  }

  /** Takes ownership of {@code rgb} without copying; the caller must not modify it afterwards. */
  public static Frame wrapRgb(int widthPx, int heightPx, byte[] rgb) {
    Objects.requireNonNull(rgb, "rgb");
    checkSize(widthPx, heightPx);
    if (rgb.length != (long) widthPx * heightPx * 3) {
      throw new IllegalArgumentException(
          "raw RGB8 frame of "
              + widthPx
              + "x"
              + heightPx
              + " needs "
              + ((long) widthPx * heightPx * 3)
              + " bytes, got "
              + rgb.length);
    }
    return new Frame(widthPx, heightPx, rgb);
  }

  private static void checkSize(int widthPx, int heightPx) {
    if (widthPx <= 0 || heightPx <= 0 || widthPx > MAX_SIDE_PX || heightPx > MAX_SIDE_PX) {
      throw new IllegalArgumentException(
          "frame size " + widthPx + "x" + heightPx + " outside 1.." + MAX_SIDE_PX + " per side");
    }
  }

  public int widthPx() {
    return widthPx;
  }

  public int heightPx() {
    return heightPx;
  }

  /** A copy of the pixels. */
  public byte[] rgb() {
    return rgb.clone();
  }

  /** The pixels themselves, not copied: read only. */
  public byte[] rgbUnsafe() {
    return rgb;
  }

  /** Red, green, blue of pixel (x, y) as 0..255 ints packed 0xRRGGBB. */
  public int rgbAt(int x, int y) {
    int i = (y * widthPx + x) * 3;
    return ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff);
  }

  @Override
  public String toString() {
    return "Frame[" + widthPx + "x" + heightPx + "]";
  }
}
