package mantis.core;

/**
 * An axis-aligned box in image coordinates, pixels.
 *
 * @param xPx left column
 * @param yPx top row
 * @param widthPx width
 * @param heightPx height
 */
public record PixelBox(double xPx, double yPx, double widthPx, double heightPx) {
  public PixelBox {
    if (widthPx < 0 || heightPx < 0) {
      throw new IllegalArgumentException(
          "box size must be non-negative: " + widthPx + "x" + heightPx);
    }
  }
}
