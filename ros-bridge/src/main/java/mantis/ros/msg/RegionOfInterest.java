package mantis.ros.msg;

/**
 * {@code sensor_msgs/RegionOfInterest}; all sizes uint32, in pixels.
 *
 * @param xOffset leftmost pixel
 * @param yOffset topmost pixel
 * @param height rows
 * @param width columns
 * @param doRectify whether the region is to be rectified
 */
public record RegionOfInterest(
    long xOffset, long yOffset, long height, long width, boolean doRectify) {
  /** The all-zero region, meaning "the full image". */
  public static final RegionOfInterest FULL = new RegionOfInterest(0, 0, 0, 0, false);

  public RegionOfInterest {
    Checks.uint32(xOffset, "roi.x_offset");
    Checks.uint32(yOffset, "roi.y_offset");
    Checks.uint32(height, "roi.height");
    Checks.uint32(width, "roi.width");
  }
}
