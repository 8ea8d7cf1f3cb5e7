package mantis.marks.tom;

import java.util.List;
import java.util.Objects;
import mantis.core.PixelPoint;
import mantis.core.Trace;

/**
 * One Trace-of-Mark mark: a tracked point's path through a clip, camera motion removed.
 *
 * @param markId the mark's number, 1..N within its clip (numbered in a seeded random order)
 * @param moving whether the point moved (largest displacement from the start beyond the extractor's
 *     threshold and ambiguity band)
 * @param pointsPx the point in frames 0..H, in FIRST-frame pixel coordinates (pixel centres at
 *     integers, origin top-left); {@code pointsPx.get(0)} is where it starts
 * @param quantized the same path on Magma's 256 x 256 grid: {@code quantized[t] = {qx, qy}}, each
 *     in 0..255 (see {@link TomLabels#quantize})
 * @param pathLengthPx the path length in pixels, summed over the H steps
 * @param clusterSize how many tracks of its kind (moving or static) the k-means cluster this mark
 *     represents held
 */
public record TomTrack(
    int markId,
    boolean moving,
    List<PixelPoint> pointsPx,
    int[][] quantized,
    double pathLengthPx,
    int clusterSize) {
  public TomTrack {
    pointsPx = List.copyOf(Objects.requireNonNull(pointsPx, "pointsPx"));
    Objects.requireNonNull(quantized, "quantized");
    if (quantized.length != pointsPx.size()) {
      throw new IllegalArgumentException(
          "quantized path has " + quantized.length + " points, pixel path " + pointsPx.size());
    }
    int[][] copy = new int[quantized.length][];
    for (int i = 0; i < quantized.length; i++) {
      copy[i] = quantized[i].clone();
    }
    quantized = copy;
  }

  @Override
  public int[][] quantized() {
    int[][] copy = new int[quantized.length][];
    for (int i = 0; i < quantized.length; i++) {
      copy[i] = quantized[i].clone();
    }
    return copy;
  }

  /** This mark's path as a {@link Trace} (pixel coordinates). */
  public Trace toTrace() {
    return new Trace(markId, pointsPx);
  }
}
