package mantis.core;

import java.util.List;
import java.util.Objects;

/**
 * A Trace-of-Mark trace: the future path of one mark, in pixels, first point = now.
 *
 * @param markId the mark this trace belongs to
 * @param points future positions, oldest first
 */
public record Trace(int markId, List<PixelPoint> points) {
  public Trace {
    points = List.copyOf(Objects.requireNonNull(points, "points"));
  }
}
