package mantis.latent;

import java.util.List;
import java.util.Objects;
import mantis.core.Frame;

/**
 * A batch of frame pairs (frame t, frame t+H); element i of both lists forms pair i.
 *
 * @param framesT the earlier frames
 * @param framesTPlusH the later frames, same count
 */
public record FramePairs(List<Frame> framesT, List<Frame> framesTPlusH) {

  public FramePairs {
    Objects.requireNonNull(framesT, "framesT");
    Objects.requireNonNull(framesTPlusH, "framesTPlusH");
    if (framesT.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one frame pair, got 0");
    }
    if (framesT.size() != framesTPlusH.size()) {
      throw new IllegalArgumentException(
          "framesT has "
              + framesT.size()
              + " frames but framesTPlusH has "
              + framesTPlusH.size()
              + "; they must pair up one to one");
    }
    framesT = List.copyOf(framesT);
    framesTPlusH = List.copyOf(framesTPlusH);
  }

  /** Number of pairs. */
  public int size() {
    return framesT.size();
  }
}
