package mantis.core;

/**
 * A point in image coordinates, pixels, origin top-left, x right, y down.
 *
 * @param xPx column
 * @param yPx row
 */
public record PixelPoint(double xPx, double yPx) {}
