package mantis.marks.tom;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import mantis.core.Frame;
import mantis.core.PixelPoint;
import org.opencv.calib3d.Calib3d;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfFloat;
import org.opencv.core.MatOfPoint2f;
import org.opencv.core.Size;
import org.opencv.core.TermCriteria;
import org.opencv.imgproc.Imgproc;
import org.opencv.video.Video;

/**
 * Trace-of-Mark extraction from a clip of H + 1 RGB frames (Magma's recipe, with OpenCV):
 *
 * <ol>
 *   <li>seed a regular grid of points in the first frame;
 *   <li>track them frame to frame with pyramidal Lucas–Kanade ({@code calcOpticalFlowPyrLK}),
 *       dropping points that LK loses, that leave the image, or that lie on texture too flat to
 *       track (minimum eigenvalue test);
 *   <li>forward–backward check: track the survivors from the last frame back to the first and drop
 *       those that come back further than a threshold from where they started;
 *   <li>remove camera motion: for each frame t, fit a RANSAC homography ({@code findHomography})
 *       from the tracked points in frame t to the same points in frame 0, and map every track into
 *       first-frame coordinates (a median translation when there are too few points);
 *   <li>split the tracks into moving and static by how far they get from their start in first-frame
 *       coordinates (the largest displacement over the clip: unlike the summed path length it does
 *       not add up sub-pixel jitter); tracks just above the threshold (an ambiguity band) are
 *       dropped;
 *   <li>drag check: drop moving tracks that an edge dragged along (see {@link
 *       Builder#optDragCheck}), and destination check: drop moving tracks whose destination looked
 *       the same in the first frame (nothing moved in: a table point dragged ahead of a moving
 *       edge; see {@link Builder#optDestinationChange});
 *   <li>cluster each set with k-means ({@code Core.kmeans}) on the whole path. Static clusters keep
 *       the member nearest the centre. Moving clusters drop outliers whose displacement leaves the
 *       cluster's per-frame median displacement by more than 2 px, and keep the inlier nearest the
 *       others in the first frame (the spatial medoid: inside the moving body, not on its border);
 *       a moving cluster needs at least 3 inliers. A few moving marks, more static ones;
 *   <li>number the marks 1..N in a random order drawn from the seed, and quantise every point to
 *       Magma's 256 x 256 grid (the float pixel coordinates are kept too).
 * </ol>
 *
 * <p>Defaults (tuned at 128 x 128 on seeds 0..499; pixel thresholds are in pixels of the input, so
 * scale them with the frame size): horizon H = 16 frames, grid step 4 px (a 32 x 32 grid), LK
 * window 9 px, 2 pyramid levels, 30 iterations or 0.01 px, minimum eigenvalue 1e-3,
 * forward–backward error ≤ 0.5 px, RANSAC reprojection threshold 1 px, at least 8 points for a
 * homography, static up to 2 px of largest displacement, moving beyond 3 px (2 px + a 1 px
 * ambiguity band), drag check on with a margin of 8 grey levels, destination change ≥ 8 grey
 * levels, moving-cluster outliers beyond 2 px, spatial medoid on, moving clusters of at least 3
 * inliers, at most 5 moving and 10 static marks, seed 0. Off by default (tried, they cost more true
 * moving marks than false ones): a stricter forward–backward limit for moving tracks, an
 * LK-residual limit, motion coherence with grid neighbours, the foreground pick, the drag check at
 * every frame. See {@code docs/TRACE_OF_MARK.md}.
 *
 * <p>Thread-safe: an extractor is immutable and every call allocates (and releases, before it
 * returns) its own native buffers; k-means uses OpenCV's thread-local random generator, seeded per
 * call, so labels are reproducible.
 */
public final class TraceExtractor {
  private final int horizon;
  private final int gridStepPx;
  private final int windowPx;
  private final int pyramidLevels;
  private final int lkMaxIterations;
  private final double lkEpsilonPx;
  private final double minEigThreshold;
  private final double forwardBackwardMaxPx;
  private final double ransacReprojectionPx;
  private final int minHomographyPoints;
  private final double movingMinDisplacementPx;
  private final double ambiguityBandPx;
  private final int minMovingClusterTracks;
  private final boolean dragCheck;
  private final int maxMovingMarks;
  private final int maxStaticMarks;
  private final double movingForwardBackwardMaxPx;
  private final double movingMaxLkErrorPx;
  private final int movingMinCoherentNeighbours;
  private final double coherencePx;
  private final double clusterOutlierPx;
  private final double destinationChange;
  private final boolean pickForeground;
  private final boolean dragCheckAllFrames;
  private final double dragMargin;
  private final boolean spatialMedoid;
  private final long seed;

  private TraceExtractor(Builder b) {
    this.horizon = b.horizon;
    this.gridStepPx = b.gridStepPx;
    this.windowPx = b.windowPx;
    this.pyramidLevels = b.pyramidLevels;
    this.lkMaxIterations = b.lkMaxIterations;
    this.lkEpsilonPx = b.lkEpsilonPx;
    this.minEigThreshold = b.minEigThreshold;
    this.forwardBackwardMaxPx = b.forwardBackwardMaxPx;
    this.ransacReprojectionPx = b.ransacReprojectionPx;
    this.minHomographyPoints = b.minHomographyPoints;
    this.movingMinDisplacementPx = b.movingMinDisplacementPx;
    this.ambiguityBandPx = b.ambiguityBandPx;
    this.minMovingClusterTracks = b.minMovingClusterTracks;
    this.dragCheck = b.dragCheck;
    this.maxMovingMarks = b.maxMovingMarks;
    this.maxStaticMarks = b.maxStaticMarks;
    this.movingForwardBackwardMaxPx = b.movingForwardBackwardMaxPx;
    this.movingMaxLkErrorPx = b.movingMaxLkErrorPx;
    this.movingMinCoherentNeighbours = b.movingMinCoherentNeighbours;
    this.coherencePx = b.coherencePx;
    this.clusterOutlierPx = b.clusterOutlierPx;
    this.destinationChange = b.destinationChange;
    this.pickForeground = b.pickForeground;
    this.dragCheckAllFrames = b.dragCheckAllFrames;
    this.dragMargin = b.dragMargin;
    this.spatialMedoid = b.spatialMedoid;
    this.seed = b.seed;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** H: a clip has H + 1 frames. */
  public int horizon() {
    return horizon;
  }

  /** The largest displacement above which a track may count as moving, pixels. */
  public double movingMinDisplacementPx() {
    return movingMinDisplacementPx;
  }

  /** Labels for a clip of exactly H + 1 frames, numbered with the builder's seed. */
  public TomLabels extract(List<Frame> clip) {
    return extract(clip, seed);
  }

  /**
   * Labels for a clip of exactly H + 1 RGB frames of one size; {@code seed} draws the k-means
   * initialisation and the mark numbering. A blank or textureless clip gives empty labels.
   *
   * @throws IllegalArgumentException when the clip has another length, a null frame, or frames of
   *     different sizes, or frames smaller than the LK window
   */
  public TomLabels extract(List<Frame> clip, long seed) {
    Objects.requireNonNull(clip, "clip");
    if (clip.size() != horizon + 1) {
      throw new IllegalArgumentException(
          "a clip needs H + 1 = " + (horizon + 1) + " frames, got " + clip.size());
    }
    int w = -1;
    int h = -1;
    for (int i = 0; i < clip.size(); i++) {
      Frame f = clip.get(i);
      if (f == null) {
        throw new IllegalArgumentException("frame " + i + " is null");
      }
      if (i == 0) {
        w = f.widthPx();
        h = f.heightPx();
      } else if (f.widthPx() != w || f.heightPx() != h) {
        throw new IllegalArgumentException(
            "frame "
                + i
                + " is "
                + f.widthPx()
                + "x"
                + f.heightPx()
                + ", frame 0 is "
                + w
                + "x"
                + h
                + ": all frames of a clip must have one size");
      }
    }
    if (w < windowPx || h < windowPx) {
      throw new IllegalArgumentException(
          "frames of " + w + "x" + h + " are smaller than the LK window (" + windowPx + " px)");
    }
    mantis.marks.OpenCv.ensureLoaded();
    List<Mat> grays = new ArrayList<>(clip.size());
    try {
      for (Frame f : clip) {
        grays.add(gray(f));
      }
      return run(grays, w, h, seed);
    } finally {
      for (Mat m : grays) {
        m.release();
      }
    }
  }

  private static Mat gray(Frame f) {
    Mat rgb = new Mat(f.heightPx(), f.widthPx(), CvType.CV_8UC3);
    try {
      rgb.put(0, 0, f.rgbUnsafe());
      Mat g = new Mat();
      Imgproc.cvtColor(rgb, g, Imgproc.COLOR_RGB2GRAY);
      return g;
    } finally {
      rgb.release();
    }
  }

  private TomLabels run(List<Mat> grays, int w, int h, long seed) {
    // 1. Grid.
    int start = gridStepPx / 2;
    int nx = (w - start + gridStepPx - 1) / gridStepPx;
    int ny = (h - start + gridStepPx - 1) / gridStepPx;
    int n = nx * ny;
    float[][] xs = new float[horizon + 1][n];
    float[][] ys = new float[horizon + 1][n];
    for (int j = 0; j < ny; j++) {
      for (int i = 0; i < nx; i++) {
        xs[0][j * nx + i] = start + i * gridStepPx;
        ys[0][j * nx + i] = start + j * gridStepPx;
      }
    }
    int[] alive = new int[n];
    for (int i = 0; i < n; i++) {
      alive[i] = i;
    }
    int count = n;
    // 2. Forward tracking, frame to frame; lkError[i]: the largest LK residual along the way.
    float[] bx = new float[n];
    float[] by = new float[n];
    float[] be = new float[n];
    double[] lkError = new double[n];
    for (int t = 0; t < horizon && count > 0; t++) {
      for (int k = 0; k < count; k++) {
        bx[k] = xs[t][alive[k]];
        by[k] = ys[t][alive[k]];
      }
      boolean[] ok = track(grays.get(t), grays.get(t + 1), bx, by, be, count, w, h);
      int kept = 0;
      for (int k = 0; k < count; k++) {
        if (ok[k]) {
          xs[t + 1][alive[k]] = bx[k];
          ys[t + 1][alive[k]] = by[k];
          lkError[alive[k]] = Math.max(lkError[alive[k]], be[k]);
          alive[kept++] = alive[k];
        }
      }
      count = kept;
    }
    // 3. Forward–backward check.
    double[] fbError = new double[n];
    if (count > 0) {
      for (int k = 0; k < count; k++) {
        bx[k] = xs[horizon][alive[k]];
        by[k] = ys[horizon][alive[k]];
      }
      boolean[] back = new boolean[count];
      Arrays.fill(back, true);
      for (int t = horizon; t > 0; t--) {
        boolean[] ok = track(grays.get(t), grays.get(t - 1), bx, by, be, count, w, h);
        for (int k = 0; k < count; k++) {
          back[k] &= ok[k];
        }
      }
      int kept = 0;
      for (int k = 0; k < count; k++) {
        int i = alive[k];
        double err = Math.hypot(bx[k] - xs[0][i], by[k] - ys[0][i]);
        fbError[i] = err;
        if (back[k] && err <= forwardBackwardMaxPx) {
          alive[kept++] = i;
        }
      }
      count = kept;
    }
    if (count == 0) {
      return new TomLabels(horizon, w, h, List.of(), List.of(), n, 0, 0, "none");
    }
    int[] ids = Arrays.copyOf(alive, count);
    // 4. Camera motion: every frame into first-frame coordinates.
    double[][] px = new double[count][horizon + 1];
    double[][] py = new double[count][horizon + 1];
    for (int k = 0; k < count; k++) {
      px[k][0] = xs[0][ids[k]];
      py[k][0] = ys[0][ids[k]];
    }
    boolean homography = count >= minHomographyPoints;
    // toFrame[t]: first-frame coordinates -> frame t (inverse of the camera-motion model).
    double[][] toFrame = new double[horizon + 1][];
    toFrame[0] = new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
    for (int t = 1; t <= horizon; t++) {
      double[] hm = homography ? homography(xs[t], ys[t], xs[0], ys[0], ids) : null;
      if (hm != null) {
        toFrame[t] = invert(hm);
        if (toFrame[t] == null) {
          hm = null;
        }
      }
      if (hm == null) {
        homography = false;
        double[] d = medianShift(xs[t], ys[t], xs[0], ys[0], ids);
        toFrame[t] = new double[] {1, 0, -d[0], 0, 1, -d[1], 0, 0, 1};
        for (int k = 0; k < count; k++) {
          px[k][t] = xs[t][ids[k]] + d[0];
          py[k][t] = ys[t][ids[k]] + d[1];
        }
      } else {
        for (int k = 0; k < count; k++) {
          double x = xs[t][ids[k]];
          double y = ys[t][ids[k]];
          double s = hm[6] * x + hm[7] * y + hm[8];
          px[k][t] = (hm[0] * x + hm[1] * y + hm[2]) / s;
          py[k][t] = (hm[3] * x + hm[4] * y + hm[5]) / s;
        }
      }
    }
    // 5. Moving or static, by the largest displacement from the start; tracks in the ambiguity band
    // just above the threshold are dropped.
    double[] path = new double[count];
    List<Integer> moving = new ArrayList<>();
    List<Integer> statics = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      double len = 0;
      double reach = 0;
      for (int t = 1; t <= horizon; t++) {
        len += Math.hypot(px[k][t] - px[k][t - 1], py[k][t] - py[k][t - 1]);
        reach = Math.max(reach, Math.hypot(px[k][t] - px[k][0], py[k][t] - py[k][0]));
      }
      path[k] = len;
      if (reach <= movingMinDisplacementPx) {
        statics.add(k);
      } else if (reach > movingMinDisplacementPx + ambiguityBandPx
          && fbError[ids[k]] <= movingForwardBackwardMaxPx
          && lkError[ids[k]] <= movingMaxLkErrorPx) {
        moving.add(k);
      }
    }
    // 5a. Drag check: a point that a moving edge dragged along looks, at its largest displacement,
    // more like the first frame where it started (camera motion removed) than where it was tracked
    // to.
    double[] foreground = new double[count];
    if (dragCheck && !moving.isEmpty()) {
      byte[][] pix = new byte[horizon + 1][];
      List<Integer> kept = new ArrayList<>();
      for (int k : moving) {
        int tm = 1;
        double best = -1;
        for (int t = 1; t <= horizon; t++) {
          double d = Math.hypot(px[k][t] - px[k][0], py[k][t] - py[k][0]);
          if (d > best) {
            best = d;
            tm = t;
          }
        }
        boolean pass = true;
        for (int t = 1; t <= horizon && pass; t++) {
          if (t != tm
              && !(dragCheckAllFrames
                  && Math.hypot(px[k][t] - px[k][0], py[k][t] - py[k][0])
                      > movingMinDisplacementPx + ambiguityBandPx)) {
            continue;
          }
          byte[] g0 = pixels(grays, pix, 0);
          byte[] gt = pixels(grays, pix, t);
          double[] m = toFrame[t];
          double x0 = px[k][0];
          double y0 = py[k][0];
          double s = m[6] * x0 + m[7] * y0 + m[8];
          double sx = (m[0] * x0 + m[1] * y0 + m[2]) / s;
          double sy = (m[3] * x0 + m[4] * y0 + m[5]) / s;
          double stay = patchDifference(g0, x0, y0, gt, sx, sy, w, h);
          double go = patchDifference(g0, x0, y0, gt, xs[t][ids[k]], ys[t][ids[k]], w, h);
          // Destination check: the place the point went to must have looked different in frame 0
          // (something moved in); a point dragged ahead of an edge over the table lands where the
          // table looked the same.
          double arrived =
              patchDifference(g0, px[k][t], py[k][t], gt, xs[t][ids[k]], ys[t][ids[k]], w, h);
          if (t == tm) {
            foreground[k] = arrived;
          }
          pass = go + dragMargin < stay && (destinationChange <= 0 || arrived >= destinationChange);
        }
        if (pass) {
          kept.add(k);
        }
      }
      moving = kept;
    }
    // 5b. Coherence: a moving point needs neighbours (in frame 0) that move the same way.
    if (movingMinCoherentNeighbours > 0 && !moving.isEmpty()) {
      double radius = 1.5 * gridStepPx;
      List<Integer> kept = new ArrayList<>();
      for (int a : moving) {
        int friends = 0;
        for (int b : moving) {
          if (a == b || Math.hypot(px[a][0] - px[b][0], py[a][0] - py[b][0]) > radius) {
            continue;
          }
          double worst = 0;
          for (int t = 1; t <= horizon && worst <= coherencePx; t++) {
            worst =
                Math.max(
                    worst,
                    Math.hypot(
                        px[a][t] - px[a][0] - px[b][t] + px[b][0],
                        py[a][t] - py[a][0] - py[b][t] + py[b][0]));
          }
          if (worst <= coherencePx) {
            friends++;
          }
        }
        if (friends >= movingMinCoherentNeighbours) {
          kept.add(a);
        }
      }
      moving = kept;
    }
    // 6. One mark per k-means cluster.
    SplittableRandom rng = new SplittableRandom(seed);
    List<int[]> keptMoving =
        cluster(
            moving,
            maxMovingMarks,
            minMovingClusterTracks,
            clusterOutlierPx,
            pickForeground ? foreground : null,
            px,
            py,
            rng.nextInt());
    keptMoving.removeIf(c -> c[1] < minMovingClusterTracks);
    List<int[]> keptStatic =
        cluster(statics, maxStaticMarks, 1, Double.NaN, null, px, py, rng.nextInt());
    // 7. Random numbering, quantisation.
    int marks = keptMoving.size() + keptStatic.size();
    int[] numbers = new int[marks];
    for (int i = 0; i < marks; i++) {
      numbers[i] = i + 1;
    }
    for (int i = marks - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = numbers[i];
      numbers[i] = numbers[j];
      numbers[j] = tmp;
    }
    List<TomTrack> outMoving = new ArrayList<>();
    List<TomTrack> outStatic = new ArrayList<>();
    int m = 0;
    for (int[] kc : keptMoving) {
      outMoving.add(track(numbers[m++], true, kc[0], kc[1], px, py, path, w, h));
    }
    for (int[] kc : keptStatic) {
      outStatic.add(track(numbers[m++], false, kc[0], kc[1], px, py, path, w, h));
    }
    outMoving.sort((a, b) -> Integer.compare(a.markId(), b.markId()));
    outStatic.sort((a, b) -> Integer.compare(a.markId(), b.markId()));
    return new TomLabels(
        horizon,
        w,
        h,
        outMoving,
        outStatic,
        n,
        count,
        moving.size(),
        homography ? "homography" : "translation");
  }

  private TomTrack track(
      int id,
      boolean moving,
      int k,
      int clusterSize,
      double[][] px,
      double[][] py,
      double[] path,
      int w,
      int h) {
    List<PixelPoint> pts = new ArrayList<>(horizon + 1);
    int[][] q = new int[horizon + 1][];
    for (int t = 0; t <= horizon; t++) {
      pts.add(new PixelPoint(px[k][t], py[k][t]));
      q[t] = new int[] {TomLabels.quantize(px[k][t], w), TomLabels.quantize(py[k][t], h)};
    }
    return new TomTrack(id, moving, pts, q, path[k], clusterSize);
  }

  private static byte[] pixels(List<Mat> grays, byte[][] cache, int t) {
    if (cache[t] == null) {
      Mat g = grays.get(t);
      cache[t] = new byte[g.rows() * g.cols()];
      g.get(0, 0, cache[t]);
    }
    return cache[t];
  }

  /** Drag and destination checks: 3x3 patches. */
  private static final int PATCH_RADIUS = 1;

  /**
   * Mean absolute difference of the 5x5 patches around (xa, ya) in a and (xb, yb) in b, bilinear.
   */
  private static double patchDifference(
      byte[] a, double xa, double ya, byte[] b, double xb, double yb, int w, int h) {
    double sum = 0;
    int n = 0;
    for (int dy = -PATCH_RADIUS; dy <= PATCH_RADIUS; dy++) {
      for (int dx = -PATCH_RADIUS; dx <= PATCH_RADIUS; dx++) {
        sum += Math.abs(sample(a, xa + dx, ya + dy, w, h) - sample(b, xb + dx, yb + dy, w, h));
        n++;
      }
    }
    return sum / n;
  }

  private static double sample(byte[] g, double x, double y, int w, int h) {
    x = Math.max(0, Math.min(w - 1, x));
    y = Math.max(0, Math.min(h - 1, y));
    int x0 = Math.min((int) x, w - 2 < 0 ? 0 : w - 2);
    int y0 = Math.min((int) y, h - 2 < 0 ? 0 : h - 2);
    double fx = x - x0;
    double fy = y - y0;
    int x1 = Math.min(x0 + 1, w - 1);
    int y1 = Math.min(y0 + 1, h - 1);
    double a = g[y0 * w + x0] & 0xff;
    double b = g[y0 * w + x1] & 0xff;
    double c = g[y1 * w + x0] & 0xff;
    double d = g[y1 * w + x1] & 0xff;
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
  }

  /** Inverse of a row-major 3x3 matrix, or null when singular. */
  static double[] invert(double[] m) {
    double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
    double co0 = e * i - f * h;
    double co1 = -(d * i - f * g);
    double co2 = d * h - e * g;
    double det = a * co0 + b * co1 + c * co2;
    if (!(Math.abs(det) > 1e-12) || !Double.isFinite(det)) {
      return null;
    }
    double[] r = {
      co0, -(b * i - c * h), b * f - c * e,
      co1, a * i - c * g, -(a * f - c * d),
      co2, -(a * h - b * g), a * e - b * d
    };
    for (int k = 0; k < 9; k++) {
      r[k] /= det;
    }
    return r;
  }

  /** Tracks points (bx, by)[0..count) from a to b in place; true where tracking succeeded. */
  private boolean[] track(
      Mat a, Mat b, float[] bx, float[] by, float[] be, int count, int w, int h) {
    float[] buf = new float[2 * count];
    for (int k = 0; k < count; k++) {
      buf[2 * k] = bx[k];
      buf[2 * k + 1] = by[k];
    }
    MatOfPoint2f prev = new MatOfPoint2f();
    MatOfPoint2f next = new MatOfPoint2f();
    MatOfByte status = new MatOfByte();
    MatOfFloat err = new MatOfFloat();
    try {
      prev.alloc(count);
      prev.put(0, 0, buf);
      Video.calcOpticalFlowPyrLK(
          a,
          b,
          prev,
          next,
          status,
          err,
          new Size(windowPx, windowPx),
          pyramidLevels,
          new TermCriteria(TermCriteria.COUNT + TermCriteria.EPS, lkMaxIterations, lkEpsilonPx),
          0,
          minEigThreshold);
      next.get(0, 0, buf);
      byte[] st = new byte[count];
      status.get(0, 0, st);
      float[] e = new float[count];
      err.get(0, 0, e);
      System.arraycopy(e, 0, be, 0, count);
      boolean[] ok = new boolean[count];
      for (int k = 0; k < count; k++) {
        float x = buf[2 * k];
        float y = buf[2 * k + 1];
        ok[k] =
            st[k] != 0
                && Float.isFinite(x)
                && Float.isFinite(y)
                && x >= 0
                && y >= 0
                && x <= w - 1
                && y <= h - 1;
        bx[k] = x;
        by[k] = y;
      }
      return ok;
    } finally {
      prev.release();
      next.release();
      status.release();
      err.release();
    }
  }

  /**
   * Row-major 3x3 homography from (x, y) to (x0, y0) over the tracks ids, or null when none fits.
   */
  private double[] homography(float[] x, float[] y, float[] x0, float[] y0, int[] ids) {
    int count = ids.length;
    float[] src = new float[2 * count];
    float[] dst = new float[2 * count];
    for (int k = 0; k < count; k++) {
      src[2 * k] = x[ids[k]];
      src[2 * k + 1] = y[ids[k]];
      dst[2 * k] = x0[ids[k]];
      dst[2 * k + 1] = y0[ids[k]];
    }
    MatOfPoint2f s = new MatOfPoint2f();
    MatOfPoint2f d = new MatOfPoint2f();
    Mat mask = new Mat();
    Mat hm = null;
    try {
      s.alloc(count);
      s.put(0, 0, src);
      d.alloc(count);
      d.put(0, 0, dst);
      hm = Calib3d.findHomography(s, d, Calib3d.RANSAC, ransacReprojectionPx, mask, 2000, 0.995);
      if (hm.empty() || hm.rows() != 3 || hm.cols() != 3) {
        return null;
      }
      int inliers = Core.countNonZero(mask);
      if (inliers < minHomographyPoints) {
        return null;
      }
      double[] out = new double[9];
      hm.get(0, 0, out);
      for (double v : out) {
        if (!Double.isFinite(v)) {
          return null;
        }
      }
      return out;
    } finally {
      s.release();
      d.release();
      mask.release();
      if (hm != null) {
        hm.release();
      }
    }
  }

  private static double[] medianShift(float[] x, float[] y, float[] x0, float[] y0, int[] ids) {
    double[] dx = new double[ids.length];
    double[] dy = new double[ids.length];
    for (int k = 0; k < ids.length; k++) {
      dx[k] = x0[ids[k]] - x[ids[k]];
      dy[k] = y0[ids[k]] - y[ids[k]];
    }
    Arrays.sort(dx);
    Arrays.sort(dy);
    return new double[] {dx[ids.length / 2], dy[ids.length / 2]};
  }

  /**
   * k-means over whole paths; returns {track index, cluster size} of the member nearest each
   * centre, at most {@code maxMarks} of them.
   */
  private List<int[]> cluster(
      List<Integer> members,
      int maxMarks,
      int minTracks,
      double outlierPx,
      double[] score,
      double[][] px,
      double[][] py,
      int rngSeed) {
    int count = members.size();
    List<int[]> out = new ArrayList<>();
    if (count == 0 || maxMarks == 0) {
      return out;
    }
    int k = Math.min(maxMarks, Math.max(1, count / minTracks));
    if (count == 1) {
      out.add(new int[] {members.get(0), 1});
      return out;
    }
    int dims = 2 * (horizon + 1);
    float[] data = new float[count * dims];
    for (int r = 0; r < count; r++) {
      int idx = members.get(r);
      for (int t = 0; t <= horizon; t++) {
        data[r * dims + 2 * t] = (float) px[idx][t];
        data[r * dims + 2 * t + 1] = (float) py[idx][t];
      }
    }
    Mat samples = new Mat(count, dims, CvType.CV_32F);
    Mat labels = new Mat();
    Mat centers = new Mat();
    try {
      samples.put(0, 0, data);
      Core.setRNGSeed(rngSeed);
      Core.kmeans(
          samples,
          k,
          labels,
          new TermCriteria(TermCriteria.COUNT + TermCriteria.EPS, 30, 0.01),
          3,
          Core.KMEANS_PP_CENTERS,
          centers);
      int[] lab = new int[count];
      labels.get(0, 0, lab);
      float[] cen = new float[k * dims];
      centers.get(0, 0, cen);
      int[] best = new int[k];
      double[] bestD = new double[k];
      int[] size = new int[k];
      Arrays.fill(best, -1);
      Arrays.fill(bestD, Double.POSITIVE_INFINITY);
      for (int r = 0; r < count; r++) {
        int c = lab[r];
        size[c]++;
        double dist = 0;
        for (int j = 0; j < dims; j++) {
          double e = data[r * dims + j] - cen[c * dims + j];
          dist += e * e;
        }
        if (dist < bestD[c]) {
          bestD[c] = dist;
          best[c] = r;
        }
      }
      if (!Double.isNaN(outlierPx)) {
        // Robust: displacements from the start; the member whose displacement stays nearest the
        // cluster's per-frame median displacement, among those within outlierPx of it at every
        // frame;
        // the others (motions unlike their cluster's) are not counted.
        for (int c = 0; c < k; c++) {
          if (size[c] == 0) {
            continue;
          }
          double[] med = new double[dims];
          double[] col = new double[size[c]];
          for (int j = 0; j < dims; j++) {
            int m = 0;
            for (int r = 0; r < count; r++) {
              if (lab[r] == c) {
                col[m++] = data[r * dims + j] - data[r * dims + (j & 1)];
              }
            }
            Arrays.sort(col);
            med[j] = (m % 2 == 1) ? col[m / 2] : 0.5 * (col[m / 2 - 1] + col[m / 2]);
          }
          int inliers = 0;
          best[c] = -1;
          bestD[c] = Double.POSITIVE_INFINITY;
          for (int r = 0; r < count; r++) {
            if (lab[r] != c) {
              continue;
            }
            double worst = 0;
            double sum = 0;
            for (int t = 0; t < dims / 2; t++) {
              double d =
                  Math.hypot(
                      data[r * dims + 2 * t] - data[r * dims] - med[2 * t],
                      data[r * dims + 2 * t + 1] - data[r * dims + 1] - med[2 * t + 1]);
              worst = Math.max(worst, d);
              sum += d;
            }
            if (worst <= outlierPx) {
              inliers++;
              double rank = score == null ? sum : -score[members.get(r)];
              if (spatialMedoid) {
                rank = 0;
                for (int r2 = 0; r2 < count; r2++) {
                  if (lab[r2] == c) {
                    rank +=
                        Math.hypot(
                            data[r * dims] - data[r2 * dims],
                            data[r * dims + 1] - data[r2 * dims + 1]);
                  }
                }
              }
              if (rank < bestD[c]) {
                bestD[c] = rank;
                best[c] = r;
              }
            }
          }
          size[c] = inliers;
        }
      }
      for (int c = 0; c < k; c++) {
        if (best[c] >= 0) {
          out.add(new int[] {members.get(best[c]), size[c]});
        }
      }
      return out;
    } finally {
      samples.release();
      labels.release();
      centers.release();
    }
  }

  /** Builder; every setting is optional (defaults in the class documentation). */
  public static final class Builder {
    private int horizon = 16;
    private int gridStepPx = 4;
    private int windowPx = 9;
    private int pyramidLevels = 2;
    private int lkMaxIterations = 30;
    private double lkEpsilonPx = 0.01;
    private double minEigThreshold = 1e-3;
    private double forwardBackwardMaxPx = 0.5;
    private double ransacReprojectionPx = 1.0;
    private int minHomographyPoints = 8;
    private double movingMinDisplacementPx = 2.0;
    private double ambiguityBandPx = 1.0;
    private int minMovingClusterTracks = 3;
    private boolean dragCheck = true;
    private int maxMovingMarks = 5;
    private int maxStaticMarks = 10;
    private double movingForwardBackwardMaxPx = 0.5;
    private double movingMaxLkErrorPx = Double.POSITIVE_INFINITY;
    private int movingMinCoherentNeighbours = 0;
    private double coherencePx = 1.0;
    private double clusterOutlierPx = 2.0;
    private double destinationChange = 8;
    private boolean pickForeground = false;
    private boolean dragCheckAllFrames = false;
    private double dragMargin = 8;
    private boolean spatialMedoid = true;
    private long seed = 0;

    private Builder() {}

    /** H: frames tracked after the first (default 16); a clip has H + 1 frames. */
    public Builder optHorizon(int frames) {
      this.horizon = frames;
      return this;
    }

    /** Spacing of the seed grid, pixels (default 4). */
    public Builder optGridStepPx(int px) {
      this.gridStepPx = px;
      return this;
    }

    /** Side of the LK window, pixels, odd (default 9). */
    public Builder optWindowPx(int px) {
      this.windowPx = px;
      return this;
    }

    /** LK pyramid levels above the full image (default 2). */
    public Builder optPyramidLevels(int levels) {
      this.pyramidLevels = levels;
      return this;
    }

    /** LK stops after this many iterations (default 30) ... */
    public Builder optLkMaxIterations(int iterations) {
      this.lkMaxIterations = iterations;
      return this;
    }

    /** ... or when an update is below this many pixels (default 0.01). */
    public Builder optLkEpsilonPx(double px) {
      this.lkEpsilonPx = px;
      return this;
    }

    /** LK's minimum-eigenvalue test: flatter windows are not tracked (default 1e-3). */
    public Builder optMinEigThreshold(double threshold) {
      this.minEigThreshold = threshold;
      return this;
    }

    /** Largest forward–backward error kept, pixels (default 0.5). */
    public Builder optForwardBackwardMaxPx(double px) {
      this.forwardBackwardMaxPx = px;
      return this;
    }

    /** RANSAC inlier threshold of the camera-motion homography, pixels (default 1). */
    public Builder optRansacReprojectionPx(double px) {
      this.ransacReprojectionPx = px;
      return this;
    }

    /**
     * Fewest tracks (and inliers) for a homography; below it a median translation is used (default
     * 8).
     */
    public Builder optMinHomographyPoints(int points) {
      this.minHomographyPoints = points;
      return this;
    }

    /**
     * A track is static when its largest displacement from the start (camera motion removed) is at
     * most this, and moving when it exceeds this plus the ambiguity band, pixels (default 2).
     */
    public Builder optMovingMinDisplacementPx(double px) {
      this.movingMinDisplacementPx = px;
      return this;
    }

    /**
     * Tracks whose largest displacement lies in (threshold, threshold + band] are ambiguous and
     * dropped, pixels (default 1).
     */
    public Builder optAmbiguityBandPx(double px) {
      this.ambiguityBandPx = px;
      return this;
    }

    /**
     * A moving k-means cluster with fewer tracks (inliers, with {@link #optClusterOutlierPx}) than
     * this gives no mark; k is at most (moving tracks / this) (default 3).
     */
    public Builder optMinMovingClusterTracks(int tracks) {
      this.minMovingClusterTracks = tracks;
      return this;
    }

    /**
     * Drag check (default on): a moving track is kept only when, at its largest displacement, the
     * 3x3 patch where it was tracked to matches its first-frame patch better (by {@link
     * #optDragMargin}, default 8 grey levels) than the patch at its start position (camera motion
     * removed) does; otherwise the point was dragged along by a moving edge (an arm passing by) and
     * is dropped.
     */
    public Builder optDragCheck(boolean enabled) {
      this.dragCheck = enabled;
      return this;
    }

    /** At most this many moving marks (k-means clusters) per clip (default 5). */
    public Builder optMaxMovingMarks(int marks) {
      this.maxMovingMarks = marks;
      return this;
    }

    /** At most this many static marks per clip (default 10). */
    public Builder optMaxStaticMarks(int marks) {
      this.maxStaticMarks = marks;
      return this;
    }

    /** Largest forward–backward error of a track called moving, pixels (default 0.5). */
    public Builder optMovingForwardBackwardMaxPx(double px) {
      this.movingForwardBackwardMaxPx = px;
      return this;
    }

    /**
     * Largest LK residual (mean absolute grey-level difference of the window, per frame, the worst
     * frame) of a track called moving (default: no limit).
     */
    public Builder optMovingMaxLkError(double greyLevels) {
      this.movingMaxLkErrorPx = greyLevels;
      return this;
    }

    /**
     * Motion coherence: a moving track needs at least this many moving neighbours (within 1.5 grid
     * steps in frame 0) whose displacement stays within {@link #optCoherencePx} of its own at every
     * frame (default 0: off).
     */
    public Builder optMovingMinCoherentNeighbours(int neighbours) {
      this.movingMinCoherentNeighbours = neighbours;
      return this;
    }

    /** Tolerance of the coherence test, pixels (default 1). */
    public Builder optCoherencePx(double px) {
      this.coherencePx = px;
      return this;
    }

    /**
     * Moving clusters: members further than this from the cluster's per-frame median path (at any
     * frame) are outliers, not counted and never chosen; the mark is the member nearest the median
     * path (or, with {@link #optSpatialMedoid}, the spatial medoid). NaN: the member nearest the
     * k-means centre, every member counted (default 2).
     */
    public Builder optClusterOutlierPx(double px) {
      this.clusterOutlierPx = px;
      return this;
    }

    /**
     * Destination check (part of the drag check): at its largest displacement a moving track's 3x3
     * patch must differ from the first frame's patch at the same place (camera motion removed) by
     * at least this many grey levels, mean absolute difference: something moved in. 0 turns it off
     * (default 8).
     */
    public Builder optDestinationChange(double greyLevels) {
      this.destinationChange = greyLevels;
      return this;
    }

    /**
     * With {@link #optClusterOutlierPx}: the mark of a moving cluster is the inlier whose
     * destination changed most (the most clearly foreground point) rather than the one nearest the
     * median path (default off).
     */
    public Builder optPickForeground(boolean enabled) {
      this.pickForeground = enabled;
      return this;
    }

    /**
     * With {@link #optClusterOutlierPx}: the mark of a moving cluster is the inlier whose
     * first-frame position is nearest (summed distance) to its cluster's members: inside the moving
     * body rather than on its border (default on).
     */
    public Builder optSpatialMedoid(boolean enabled) {
      this.spatialMedoid = enabled;
      return this;
    }

    /** Margin of the drag check, grey levels (default 8). */
    public Builder optDragMargin(double greyLevels) {
      this.dragMargin = greyLevels;
      return this;
    }

    /**
     * The drag and destination checks at every frame where the track is beyond the moving
     * threshold, not only at its largest displacement (default off).
     */
    public Builder optDragCheckAllFrames(boolean enabled) {
      this.dragCheckAllFrames = enabled;
      return this;
    }

    /**
     * Seed of the k-means initialisation and the mark numbering for {@link #extract(List)} (default
     * 0).
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public TraceExtractor build() {
      require(horizon >= 1 && horizon <= 1000, "horizon must be in 1..1000, got " + horizon);
      require(
          gridStepPx >= 1 && gridStepPx <= 1024,
          "gridStepPx must be in 1..1024, got " + gridStepPx);
      require(
          windowPx >= 3 && windowPx <= 101 && windowPx % 2 == 1,
          "windowPx must be odd in 3..101, got " + windowPx);
      require(
          pyramidLevels >= 0 && pyramidLevels <= 8,
          "pyramidLevels must be in 0..8, got " + pyramidLevels);
      require(lkMaxIterations >= 1, "lkMaxIterations must be >= 1, got " + lkMaxIterations);
      require(
          lkEpsilonPx > 0 && Double.isFinite(lkEpsilonPx), "lkEpsilonPx must be finite and > 0");
      require(
          minEigThreshold >= 0 && Double.isFinite(minEigThreshold),
          "minEigThreshold must be finite and >= 0");
      require(
          forwardBackwardMaxPx > 0 && Double.isFinite(forwardBackwardMaxPx),
          "forwardBackwardMaxPx must be finite and > 0");
      require(
          ransacReprojectionPx > 0 && Double.isFinite(ransacReprojectionPx),
          "ransacReprojectionPx must be finite and > 0");
      require(
          minHomographyPoints >= 4, "minHomographyPoints must be >= 4, got " + minHomographyPoints);
      require(
          movingMinDisplacementPx >= 0 && Double.isFinite(movingMinDisplacementPx),
          "movingMinDisplacementPx must be finite and >= 0");
      require(
          ambiguityBandPx >= 0 && Double.isFinite(ambiguityBandPx),
          "ambiguityBandPx must be finite and >= 0");
      require(minMovingClusterTracks >= 1, "minMovingClusterTracks must be >= 1");
      require(maxMovingMarks >= 0 && maxMovingMarks <= 255, "maxMovingMarks must be in 0..255");
      require(maxStaticMarks >= 0 && maxStaticMarks <= 255, "maxStaticMarks must be in 0..255");
      require(
          movingForwardBackwardMaxPx > 0 && !Double.isNaN(movingForwardBackwardMaxPx),
          "movingForwardBackwardMaxPx must be > 0");
      require(
          movingMaxLkErrorPx > 0 && !Double.isNaN(movingMaxLkErrorPx),
          "movingMaxLkError must be > 0");
      require(
          movingMinCoherentNeighbours >= 0 && movingMinCoherentNeighbours <= 8,
          "movingMinCoherentNeighbours must be in 0..8");
      require(
          coherencePx > 0 && Double.isFinite(coherencePx), "coherencePx must be finite and > 0");
      require(
          Double.isNaN(clusterOutlierPx) || clusterOutlierPx > 0,
          "clusterOutlierPx must be NaN (off) or > 0");
      require(
          destinationChange >= 0 && Double.isFinite(destinationChange),
          "destinationChange must be finite and >= 0");
      require(dragMargin >= 0 && Double.isFinite(dragMargin), "dragMargin must be finite and >= 0");
      return new TraceExtractor(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
