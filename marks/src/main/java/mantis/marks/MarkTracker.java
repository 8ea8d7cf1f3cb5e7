package mantis.marks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import mantis.core.Mark;
import mantis.core.PixelBox;

/**
 * Keeps mark ids stable across the frames of one stream: each frame's proposals are associated with
 * the marks it tracks by position and overlap, and take over their ids; proposals that match
 * nothing get new ids, counting up from 1, and an id is never given to another object within the
 * stream.
 *
 * <p>Association is greedy on a cost per (tracked mark, proposal) pair: the centroid distance in
 * pixels, minus a bonus for box overlap (intersection over union times the gate), plus a penalty
 * for a different mean colour; a pair is allowed only when the centroids are within the gate
 * ({@code gateFraction} of the image width, at least the larger box side) or the boxes overlap. A
 * tracked mark that finds no proposal is kept for {@code maxMissedFrames} more frames (so a brief
 * occlusion does not renumber an object), then retired for good: its id is never used again.
 *
 * <p>Not thread-safe: use one tracker per stream (per Control call), from one thread at a time.
 */
public final class MarkTracker {
  private final double gateFraction;
  private final int maxMissedFrames;
  private final List<Track> tracks = new ArrayList<>();
  private int nextId = 1;
  private int effectorId;

  private MarkTracker(Builder b) {
    this.gateFraction = b.gateFraction;
    this.maxMissedFrames = b.maxMissedFrames;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A tracker with the defaults. */
  public static MarkTracker create() {
    return builder().build();
  }

  private static final class Track {
    final int id;
    Mark last;
    int missed;

    Track(int id, Mark last) {
      this.id = id;
      this.last = last;
    }
  }

  /**
   * Re-numbers one frame's proposals with the stream's ids.
   *
   * @param proposals the frame's marks, any ids (e.g. a {@link MarkProposer}'s 1..N)
   * @param imageWidthPx width of the frame, for the gate
   * @return the same marks with stream ids, ordered by id
   */
  public List<Mark> update(List<Mark> proposals, int imageWidthPx) {
    return associate(proposals, imageWidthPx, -1);
  }

  /**
   * Like {@link #update(List, int)} for a {@link Proposal}; {@link #effectorMarkId()} then gives
   * the effector's stream id.
   */
  public List<Mark> update(Proposal proposal, int imageWidthPx) {
    Objects.requireNonNull(proposal, "proposal");
    int effectorIndex = -1;
    for (int i = 0; i < proposal.marks().size(); i++) {
      if (proposal.marks().get(i).id() == proposal.effectorMarkId()) {
        effectorIndex = i;
      }
    }
    return associate(proposal.marks(), imageWidthPx, effectorIndex);
  }

  /** Stream id of the effector in the last {@link #update(Proposal, int)}, 0 when none. */
  public int effectorMarkId() {
    return effectorId;
  }

  /** The next id a new object would get (ids used so far + 1). */
  public int nextId() {
    return nextId;
  }

  private List<Mark> associate(List<Mark> proposals, int imageWidthPx, int effectorIndex) {
    Objects.requireNonNull(proposals, "proposals");
    int n = proposals.size();
    int t = tracks.size();
    double gateBase = gateFraction * Math.max(1, imageWidthPx);
    List<double[]> pairs = new ArrayList<>();
    for (int i = 0; i < t; i++) {
      Mark a = tracks.get(i).last;
      for (int j = 0; j < n; j++) {
        Mark b = proposals.get(j);
        double d =
            Math.hypot(
                a.centroid().xPx() - b.centroid().xPx(), a.centroid().yPx() - b.centroid().yPx());
        double iou = iou(a.box(), b.box());
        double gate =
            Math.max(
                gateBase,
                Math.max(
                    Math.max(a.box().widthPx(), a.box().heightPx()),
                    Math.max(b.box().widthPx(), b.box().heightPx())));
        if (d > gate && iou <= 0) {
          continue;
        }
        double cost = d - iou * gate + colourDistance(a.meanRgb(), b.meanRgb()) / 255.0 * gate;
        pairs.add(new double[] {cost, i, j});
      }
    }
    pairs.sort((p, q) -> Double.compare(p[0], q[0]));
    int[] trackOf = new int[n];
    Arrays.fill(trackOf, -1);
    boolean[] used = new boolean[t];
    for (double[] p : pairs) {
      int i = (int) p[1];
      int j = (int) p[2];
      if (!used[i] && trackOf[j] < 0) {
        used[i] = true;
        trackOf[j] = i;
      }
    }
    List<Mark> out = new ArrayList<>(n);
    effectorId = 0;
    for (int j = 0; j < n; j++) {
      Mark m = proposals.get(j);
      Track track;
      if (trackOf[j] >= 0) {
        track = tracks.get(trackOf[j]);
      } else {
        track = new Track(nextId++, m);
        tracks.add(track);
      }
      track.last = m;
      track.missed = 0;
      Mark renumbered = new Mark(track.id, m.centroid(), m.box(), m.areaPx(), m.meanRgb());
      out.add(renumbered);
      if (j == effectorIndex) {
        effectorId = track.id;
      }
    }
    for (int i = 0; i < t; i++) {
      if (!used[i]) {
        tracks.get(i).missed++;
      }
    }
    tracks.removeIf(tr -> tr.missed > maxMissedFrames);
    out.sort((a, b) -> Integer.compare(a.id(), b.id()));
    return out;
  }

  private static double iou(PixelBox a, PixelBox b) {
    double x0 = Math.max(a.xPx(), b.xPx());
    double y0 = Math.max(a.yPx(), b.yPx());
    double x1 = Math.min(a.xPx() + a.widthPx(), b.xPx() + b.widthPx());
    double y1 = Math.min(a.yPx() + a.heightPx(), b.yPx() + b.heightPx());
    if (x1 <= x0 || y1 <= y0) {
      return 0;
    }
    double inter = (x1 - x0) * (y1 - y0);
    double union = a.widthPx() * a.heightPx() + b.widthPx() * b.heightPx() - inter;
    return union <= 0 ? 0 : inter / union;
  }

  private static double colourDistance(int a, int b) {
    int dr = ((a >> 16) & 0xff) - ((b >> 16) & 0xff);
    int dg = ((a >> 8) & 0xff) - ((b >> 8) & 0xff);
    int db = (a & 0xff) - (b & 0xff);
    return Math.sqrt((dr * dr + dg * dg + db * db) / 3.0);
  }

  /** Builder. */
  public static final class Builder {
    private double gateFraction = 0.08;
    private int maxMissedFrames = 2;

    private Builder() {}

    /**
     * Largest centroid jump between frames that still associates, fraction of the width; default
     * 0.08.
     */
    public Builder optGateFraction(double v) {
      this.gateFraction = v;
      return this;
    }

    /** Frames a tracked mark may go unseen before its id is retired for good; default 2. */
    public Builder optMaxMissedFrames(int v) {
      this.maxMissedFrames = v;
      return this;
    }

    public MarkTracker build() {
      if (!(gateFraction > 0 && gateFraction <= 1)) {
        throw new IllegalArgumentException("gateFraction must be in (0, 1]: " + gateFraction);
      }
      if (maxMissedFrames < 0) {
        throw new IllegalArgumentException("maxMissedFrames must be >= 0: " + maxMissedFrames);
      }
      return new MarkTracker(this);
    }
  }
}
