package mantis.marks.tom;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Trace-of-Mark labels of one clip of H + 1 frames.
 *
 * @param horizon H: the clip has H + 1 frames and every path H + 1 points
 * @param widthPx frame width
 * @param heightPx frame height
 * @param moving the moving marks, by mark id
 * @param statics the static marks, by mark id
 * @param gridPoints how many grid points were seeded in the first frame
 * @param trackedPoints how many survived tracking and the forward–backward check
 * @param movingTracks how many of those were moving (before clustering)
 * @param cameraMotionModel how camera motion was removed: {@code "homography"}, {@code
 *     "translation"} (too few static points for a homography) or {@code "none"} (no tracks)
 */
public record TomLabels(
    int horizon,
    int widthPx,
    int heightPx,
    List<TomTrack> moving,
    List<TomTrack> statics,
    int gridPoints,
    int trackedPoints,
    int movingTracks,
    String cameraMotionModel) {
  /** Magma's quantisation grid: 256 bins per axis. */
  public static final int GRID = 256;

  public TomLabels {
    moving = List.copyOf(Objects.requireNonNull(moving, "moving"));
    statics = List.copyOf(Objects.requireNonNull(statics, "statics"));
    Objects.requireNonNull(cameraMotionModel, "cameraMotionModel");
  }

  /** Every mark, by mark id. */
  public List<TomTrack> all() {
    List<TomTrack> out = new ArrayList<>(moving.size() + statics.size());
    out.addAll(moving);
    out.addAll(statics);
    out.sort((a, b) -> Integer.compare(a.markId(), b.markId()));
    return out;
  }

  /** True when no mark was found (blank or textureless clip). */
  public boolean isEmpty() {
    return moving.isEmpty() && statics.isEmpty();
  }

  /**
   * A pixel coordinate on an axis of {@code sizePx} pixels quantised to 0..255 as Magma does:
   * normalise the continuous extent [-0.5, sizePx - 0.5) to [0, 1), multiply by 256, floor, clamp.
   */
  public static int quantize(double coordPx, int sizePx) {
    double n = (coordPx + 0.5) / sizePx;
    int q = (int) Math.floor(n * GRID);
    return q < 0 ? 0 : (q > GRID - 1 ? GRID - 1 : q);
  }

  /** The pixel coordinate at the centre of bin {@code q} on an axis of {@code sizePx} pixels. */
  public static double dequantize(int q, int sizePx) {
    return (q + 0.5) / GRID * sizePx - 0.5;
  }
}
