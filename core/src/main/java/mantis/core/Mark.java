package mantis.core;

import java.util.Objects;

/**
 * A Set-of-Mark mark: one numbered candidate object (or the end effector) in a frame.
 *
 * @param id mark number, 1..N, stable across the frames of one stream
 * @param centroid centroid in pixels
 * @param box bounding box in pixels
 * @param areaPx area in pixels
 * @param meanRgb mean colour packed 0xRRGGBB
 */
public record Mark(int id, PixelPoint centroid, PixelBox box, double areaPx, int meanRgb) {
  public Mark {
    Objects.requireNonNull(centroid, "centroid");
    Objects.requireNonNull(box, "box");
    if (id < 1) {
      throw new IllegalArgumentException("mark ids start at 1, got " + id);
    }
  }
}
