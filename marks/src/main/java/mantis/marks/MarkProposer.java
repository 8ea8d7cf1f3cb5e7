package mantis.marks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import mantis.core.Frame;
import mantis.core.Mark;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

/**
 * Proposes Set-of-Mark marks on one RGB frame, from pixels only: candidate objects and the end
 * effector.
 *
 * <p><b>Objects</b> are regions of saturated colour: pixels with HSV saturation at least {@code
 * minSaturation} and value at least {@code minValue} are grown into regions whose hue stays within
 * {@code maxHueStepDeg} of each neighbour and within {@code maxHueSpreadDeg} of the region's first
 * pixel (so two touching objects of different colours stay apart, and an object's darker side faces
 * join its top face). Regions smaller than {@code minAreaFraction} or larger than {@code
 * maxAreaFraction} of the image are dropped (noise specks; a frame that is one colour). A mark's
 * centroid is the centroid of the region's lit face: its pixels at least {@value
 * #TOP_FACE_FRACTION} as bright as its brightest pixel (under the overhead camera that is the top
 * face, whose centre is the object's centre); box, area and mean colour cover the whole region.
 *
 * <p><b>Target zones</b> get marks too, on purpose: their saturated outline is a region like any
 * other, and an instruction may name them ("push the red block onto the green target"), so a
 * grounded policy needs to point at them. <b>Distractors</b> (paper, tape, stains) and table
 * textures are low-saturation and get no mark.
 *
 * <p><b>The end effector</b> is the floating hand when one is in view, else the arm's tool.
 * <em>Hand:</em> the largest region of skin-coloured pixels (hue 3..56 degrees, saturation
 * 0.26..0.55) about a hand's size (a palm of {@code handRadiusFraction} of the width), filling its
 * box, not framed by saturated colour (a target zone's tinted inside) and deep enough to hold a
 * palm; on a table of skin hue (more skin-coloured pixels than 15 palms) only pixels 4% brighter
 * than the 90th percentile of them count. The mark is the centroid of the region's deepest pixels
 * (distance transform, the region continued past the image border), the palm's centre, which the
 * fingers do not move. <em>Arm:</em> the largest region of low-saturation pixels clearly darker
 * than the local table that enters the image from its border and spans at least a fifth of it. The
 * local table brightness is a high percentile of each block of the image, raised to the median of
 * its 3x3 neighbourhood where that is brighter (a block the arm covers still gets the table's
 * brightness; one pale distractor does not make its neighbours' table look dark). Pixels below
 * {@code darkRatio} of it count unless they look like a shadow (at least 0.55 of it, of the table's
 * own tint); somewhat darker pixels of another tint (grey metal on wood) count too. The tool is the
 * far end along the arm from where it enters (geodesic distance); the mark is the centroid of the
 * arm's pixels within {@code effectorRadiusFraction} of the image width of that end.
 *
 * <p>Marks are numbered 1..N in reading order of their centroids (top to bottom, then left to
 * right); use a {@link MarkTracker} per stream for ids that stay stable across frames. Bad frames
 * (blank, all white, noise) give no marks, or at most a few for noise; nothing throws for any valid
 * {@link Frame}. Frames larger than {@code maxPixels} are proposed on at a box-averaged reduced
 * size.
 *
 * <p>Thread-safe: scratch buffers are per thread and every OpenCV {@code Mat} is released before a
 * call returns.
 */
public final class MarkProposer {
  /**
   * Brightness, relative to a region's brightest pixel, from which a pixel counts as its lit face.
   */
  public static final double TOP_FACE_FRACTION = 0.71;

  /**
   * Pixels up to this fraction of the table's brightness join the manipulator when their tint
   * differs.
   */
  private static final double CHROMA_DARK_RATIO = 0.9;

  /** Chromaticity distance (|dr| + |dg| of r/(r+g+b), g/(r+g+b)) that counts as another tint. */
  private static final double CHROMA_DISTANCE = 0.045;

  /**
   * Vertical over horizontal size of a round thing on the table, per unit of image height and
   * width: the rig's camera is 4:3, so a square frame stretches it vertically by 4/3.
   */
  private static final double VERTICAL_SCALE = 4.0 / 3.0;

  /**
   * Pixels darker than darkRatio but at least this fraction of the table, of the table's own tint,
   * are shadows.
   */
  private static final double SHADOW_LOW = 0.55;

  /** Largest chromaticity distance from the table at which a dimmed pixel counts as a shadow. */
  private static final double SHADOW_CHROMA = 0.01;

  /** Skin: OpenCV full-range hue (256 per turn) from 2 to 40 (3..56 degrees). */
  private static final int SKIN_HUE_LO = 2;

  private static final int SKIN_HUE_HI = 40;

  /** Skin: saturation 66..140 of 255 (0.26..0.55; the table, paper and tape stay below). */
  private static final int SKIN_SAT_LO = 66;

  private static final int SKIN_SAT_HI = 140;

  /** Skin: value at least 90 of 255. */
  private static final int SKIN_MIN_V = 90;

  /** A hand's area, relative to its palm's (pi * rx * ry), lies in this range. */
  private static final double SKIN_MIN_AREA = 0.35;

  private static final double SKIN_MAX_AREA = 2.5;

  /** More skin-coloured pixels than this many palms: the table itself is of skin hue (wood). */
  private static final double SKIN_TABLE_AREA = 15;

  /** Then the table's brightness is this percentile of those pixels' values... */
  private static final double SKIN_TABLE_PERCENTILE = 0.9;

  /** ...and a hand's pixels are at least this much brighter. */
  private static final double SKIN_OVER_TABLE = 1.04;

  /** Smallest fraction of its bounding box that a hand fills. */
  private static final double SKIN_MIN_FILL = 0.3;

  /**
   * A skin-coloured patch whose box outline is at least this saturated is a target zone's inside.
   */
  private static final double FRAMED_FRACTION = 0.4;

  /** A hand's deepest point lies at least this fraction of the palm radius inside it. */
  private static final double PALM_MIN_DEPTH = 0.7;

  /** The palm's centre: the hand's pixels at least this fraction as deep as its deepest. */
  private static final float PALM_DEPTH_FRACTION = 0.9f;

  private final double minSaturation;
  private final double minValue;
  private final double maxHueStepDeg;
  private final double maxHueSpreadDeg;
  private final double minAreaFraction;
  private final double maxAreaFraction;
  private final boolean effector;
  private final double darkRatio;
  private final double effectorRadiusFraction;
  private final double handRadiusFraction;
  private final long maxPixels;
  private final int minS;
  private final int minV;
  private final int hueStep;
  private final int hueSpread;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private MarkProposer(Builder b) {
    this.minSaturation = b.minSaturation;
    this.minValue = b.minValue;
    this.maxHueStepDeg = b.maxHueStepDeg;
    this.maxHueSpreadDeg = b.maxHueSpreadDeg;
    this.minAreaFraction = b.minAreaFraction;
    this.maxAreaFraction = b.maxAreaFraction;
    this.effector = b.effector;
    this.darkRatio = b.darkRatio;
    this.effectorRadiusFraction = b.effectorRadiusFraction;
    this.handRadiusFraction = b.handRadiusFraction;
    this.maxPixels = b.maxPixels;
    this.minS = (int) Math.ceil(minSaturation * 255);
    this.minV = (int) Math.ceil(minValue * 255);
    // OpenCV's full-range hue: 256 steps per turn.
    this.hueStep = (int) Math.round(maxHueStepDeg * 256 / 360);
    this.hueSpread = (int) Math.round(maxHueSpreadDeg * 256 / 360);
    OpenCv.ensureLoaded();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A proposer with the defaults (tuned on the Mantis tabletop, sim seeds 0..499). */
  public static MarkProposer defaults() {
    return builder().build();
  }

  /** Marks on {@code frame}, ids 1..N in reading order. */
  public List<Mark> propose(Frame frame) {
    return analyse(frame).marks();
  }

  /** Marks on {@code frame} and which of them is the end effector. */
  public Proposal analyse(Frame frame) {
    Objects.requireNonNull(frame, "frame");
    int w = frame.widthPx();
    int h = frame.heightPx();
    if (w < 8 || h < 8) {
      return Proposal.empty(); // nothing the size of an object fits
    }
    if ((long) w * h > maxPixels) {
      return analyseReduced(frame);
    }
    int n = w * h;
    Scratch s = SCRATCH.get();
    s.ensure(n);
    byte[] rgb = frame.rgbUnsafe();
    toHsv(rgb, w, h, s.hsv);
    List<Candidate> found = new ArrayList<>();
    regions(rgb, w, h, s, found);
    // A hand when one is in view (there is no arm then), else the arm's tool.
    Candidate tool = effector ? hand(rgb, w, h, s) : null;
    if (tool == null && effector) {
      tool = arm(rgb, w, h, s);
    }
    if (tool != null) {
      found.add(tool);
    }
    found.sort(
        (a, b) -> {
          int c = Long.compare(Math.round(a.cy), Math.round(b.cy));
          return c != 0 ? c : Double.compare(a.cx, b.cx);
        });
    List<Mark> marks = new ArrayList<>(found.size());
    int effectorId = 0;
    for (int i = 0; i < found.size(); i++) {
      Candidate c = found.get(i);
      marks.add(
          new Mark(
              i + 1,
              new PixelPoint(c.cx, c.cy),
              new PixelBox(c.x0, c.y0, c.x1 - c.x0 + 1, c.y1 - c.y0 + 1),
              c.area,
              c.meanRgb));
      if (c == tool) {
        effectorId = i + 1;
      }
    }
    return new Proposal(marks, effectorId);
  }

  /** Proposes on a box-averaged copy at most maxPixels large, then scales the marks back. */
  private Proposal analyseReduced(Frame frame) {
    int w = frame.widthPx();
    int h = frame.heightPx();
    int f = (int) Math.ceil(Math.sqrt((double) w * h / maxPixels));
    int sw = w / f;
    int sh = h / f;
    byte[] in = frame.rgbUnsafe();
    byte[] out = new byte[sw * sh * 3];
    int[] acc = new int[sw * 3];
    for (int y = 0; y < sh; y++) {
      java.util.Arrays.fill(acc, 0);
      for (int yy = y * f; yy < y * f + f; yy++) {
        int row = yy * w * 3;
        for (int x = 0; x < sw; x++) {
          int base = row + x * f * 3;
          for (int k = 0; k < f * 3; k += 3) {
            acc[3 * x] += in[base + k] & 0xff;
            acc[3 * x + 1] += in[base + k + 1] & 0xff;
            acc[3 * x + 2] += in[base + k + 2] & 0xff;
          }
        }
      }
      int div = f * f;
      for (int i = 0; i < sw * 3; i++) {
        out[y * sw * 3 + i] = (byte) ((acc[i] + div / 2) / div);
      }
    }
    Proposal small = analyse(Frame.wrapRgb(sw, sh, out));
    List<Mark> marks = new ArrayList<>(small.marks().size());
    double half = (f - 1) / 2.0;
    for (Mark m : small.marks()) {
      marks.add(
          new Mark(
              m.id(),
              new PixelPoint(m.centroid().xPx() * f + half, m.centroid().yPx() * f + half),
              new PixelBox(
                  m.box().xPx() * f,
                  m.box().yPx() * f,
                  m.box().widthPx() * f,
                  m.box().heightPx() * f),
              m.areaPx() * f * f,
              m.meanRgb()));
    }
    return new Proposal(marks, small.effectorMarkId());
  }

  private static void toHsv(byte[] rgb, int w, int h, byte[] hsvOut) {
    Mat rgbMat = new Mat(h, w, CvType.CV_8UC3);
    Mat hsvMat = new Mat();
    try {
      rgbMat.put(0, 0, rgb);
      Imgproc.cvtColor(rgbMat, hsvMat, Imgproc.COLOR_RGB2HSV_FULL);
      hsvMat.get(0, 0, hsvOut);
    } finally {
      rgbMat.release();
      hsvMat.release();
    }
  }

  private static int hueDiff(int a, int b) {
    int d = Math.abs(a - b);
    return d > 128 ? 256 - d : d;
  }

  /** Saturated regions grown by hue; adds the kept ones to {@code out}. */
  private void regions(byte[] rgb, int w, int h, Scratch s, List<Candidate> out) {
    int n = w * h;
    byte[] hsv = s.hsv;
    int[] comp = s.comp;
    int[] order = s.order;
    java.util.Arrays.fill(comp, 0, n, 0);
    int minArea = Math.max(4, (int) Math.round(minAreaFraction * n));
    int maxArea = (int) Math.round(maxAreaFraction * n);
    int len = 0;
    int label = 0;
    for (int p = 0; p < n; p++) {
      if (comp[p] != 0 || (hsv[3 * p + 1] & 0xff) < minS || (hsv[3 * p + 2] & 0xff) < minV) {
        continue;
      }
      label++;
      int start = len;
      comp[p] = label;
      order[len++] = p;
      int seedHue = hsv[3 * p] & 0xff;
      int head = start;
      while (head < len) {
        int q = order[head++];
        int qx = q % w;
        int qy = q / w;
        int qh = hsv[3 * q] & 0xff;
        for (int dy = -1; dy <= 1; dy++) {
          int ry = qy + dy;
          if (ry < 0 || ry >= h) {
            continue;
          }
          for (int dx = -1; dx <= 1; dx++) {
            int rx = qx + dx;
            if (rx < 0 || rx >= w || (dx == 0 && dy == 0)) {
              continue;
            }
            int r = ry * w + rx;
            if (comp[r] != 0 || (hsv[3 * r + 1] & 0xff) < minS || (hsv[3 * r + 2] & 0xff) < minV) {
              continue;
            }
            int rh = hsv[3 * r] & 0xff;
            if (hueDiff(qh, rh) <= hueStep && hueDiff(seedHue, rh) <= hueSpread) {
              comp[r] = label;
              order[len++] = r;
            }
          }
        }
      }
      int area = len - start;
      if (area >= minArea && area <= maxArea) {
        out.add(describe(rgb, hsv, w, order, start, len));
      }
      len = start; // the pixel list is only needed while describing the region
    }
  }

  private static Candidate describe(byte[] rgb, byte[] hsv, int w, int[] pixels, int from, int to) {
    int maxV = 0;
    Region region = new Region();
    for (int k = from; k < to; k++) {
      int p = pixels[k];
      maxV = Math.max(maxV, hsv[3 * p + 2] & 0xff);
      region.add(rgb, p, w);
    }
    double tx = 0;
    double ty = 0;
    int tn = 0;
    double cut = TOP_FACE_FRACTION * maxV;
    for (int k = from; k < to; k++) {
      int p = pixels[k];
      if ((hsv[3 * p + 2] & 0xff) >= cut) {
        tx += p % w;
        ty += p / w;
        tn++;
      }
    }
    return region.candidate(tx / tn, ty / tn);
  }

  /** The manipulator's far end, or null. */
  private Candidate arm(byte[] rgb, int w, int h, Scratch s) {
    int n = w * h;
    byte[] hsv = s.hsv;
    byte[] dark = s.mask;
    int block = Math.max(4, Math.round(Math.min(w, h) / 12f));
    int bw = (w + block - 1) / block;
    int bh = (h + block - 1) / block;
    int[] hist = s.hist;
    int[] bg = s.blockBackground(bw * bh);
    s.ensureChroma(bw * bh);
    int valid = 0;
    long validSum = 0;
    for (int by = 0; by < bh; by++) {
      for (int bx = 0; bx < bw; bx++) {
        java.util.Arrays.fill(hist, 0);
        int count = 0;
        int yEnd = Math.min(h, (by + 1) * block);
        int xEnd = Math.min(w, (bx + 1) * block);
        for (int y = by * block; y < yEnd; y++) {
          for (int x = bx * block, p = y * w + x; x < xEnd; x++, p++) {
            if ((hsv[3 * p + 1] & 0xff) < minS) {
              hist[hsv[3 * p + 2] & 0xff]++;
              count++;
            }
          }
        }
        int total = (yEnd - by * block) * (xEnd - bx * block);
        if (count * 4 < total) {
          bg[by * bw + bx] = -1;
          continue;
        }
        // 90th percentile: the table's own brightness (the arm and shadows are darker).
        int want = (count * 9) / 10;
        int acc = 0;
        int v = 0;
        while (v < 255 && acc + hist[v] <= want) {
          acc += hist[v];
          v++;
        }
        bg[by * bw + bx] = v;
        // The table's chromaticity there: mean r/(r+g+b), g/(r+g+b) of its bright pixels.
        double cr = 0;
        double cg = 0;
        int cn = 0;
        for (int y = by * block; y < yEnd; y++) {
          for (int x = bx * block, p = y * w + x; x < xEnd; x++, p++) {
            if ((hsv[3 * p + 1] & 0xff) < minS && (hsv[3 * p + 2] & 0xff) >= v * 0.85) {
              int sum = (rgb[3 * p] & 0xff) + (rgb[3 * p + 1] & 0xff) + (rgb[3 * p + 2] & 0xff) + 1;
              cr += (rgb[3 * p] & 0xff) / (double) sum;
              cg += (rgb[3 * p + 1] & 0xff) / (double) sum;
              cn++;
            }
          }
        }
        s.chromaR[by * bw + bx] = cn == 0 ? 1 / 3.0 : cr / cn;
        s.chromaG[by * bw + bx] = cn == 0 ? 1 / 3.0 : cg / cn;
        valid++;
        validSum += v;
      }
    }
    if (valid == 0) {
      return null;
    }
    int fallback = (int) (validSum / valid);
    // Each block's background is the brighter of its own and the median of its 3x3 neighbourhood: a
    // block that the arm covers almost entirely still gets the table's brightness, and one pale
    // distractor next to a block does not make all of that block's table look dark.
    int[] grown = s.grown(bw * bh);
    int[] near = s.near;
    for (int by = 0; by < bh; by++) {
      for (int bx = 0; bx < bw; bx++) {
        int own = bg[by * bw + bx];
        int k = 0;
        for (int j = Math.max(0, by - 1); j <= Math.min(bh - 1, by + 1); j++) {
          for (int i = Math.max(0, bx - 1); i <= Math.min(bw - 1, bx + 1); i++) {
            if (bg[j * bw + i] >= 0) {
              near[k++] = (bg[j * bw + i] << 16) | (j * bw + i);
            }
          }
        }
        int m = -1;
        int from = by * bw + bx;
        if (k > 0) {
          java.util.Arrays.sort(near, 0, k);
          int med = near[k / 2];
          if ((med >> 16) > own) {
            m = med >> 16;
            from = med & 0xffff;
          } else {
            m = own;
          }
        }
        grown[by * bw + bx] = m < 0 ? fallback : m;
        s.grownR[by * bw + bx] = m < 0 ? 1 / 3.0 : s.chromaR[from];
        s.grownG[by * bw + bx] = m < 0 ? 1 / 3.0 : s.chromaG[from];
      }
    }
    bg = grown;
    int darkCount = 0;
    for (int y = 0; y < h; y++) {
      int rowBlock = (y / block) * bw;
      for (int x = 0, p = y * w; x < w; x++, p++) {
        int bi = rowBlock + x / block;
        int b = bg[bi];
        int v = hsv[3 * p + 2] & 0xff;
        boolean d = false;
        if ((hsv[3 * p + 1] & 0xff) < minS && v < CHROMA_DARK_RATIO * b) {
          int sum = (rgb[3 * p] & 0xff) + (rgb[3 * p + 1] & 0xff) + (rgb[3 * p + 2] & 0xff) + 1;
          double dc =
              Math.abs((rgb[3 * p] & 0xff) / (double) sum - s.grownR[bi])
                  + Math.abs((rgb[3 * p + 1] & 0xff) / (double) sum - s.grownG[bi]);
          if (v < darkRatio * b) {
            // Clearly darker, unless it looks like a shadow: the table's own tint, dimmed by about
            // 0.7.
            d = v < SHADOW_LOW * b || dc > SHADOW_CHROMA;
          } else {
            // Somewhat darker and of another tint than the table: grey metal on a wooden table.
            d = dc > CHROMA_DISTANCE;
          }
        }
        dark[p] = d ? (byte) 255 : 0;
        if (d) {
          darkCount++;
        }
      }
    }
    int minArmArea = Math.max(8, (int) Math.round(0.002 * n));
    if (darkCount < minArmArea || darkCount > n / 2) {
      return null;
    }
    Mat maskMat = new Mat(h, w, CvType.CV_8UC1);
    Mat labels = new Mat();
    Mat stats = new Mat();
    Mat centroids = new Mat();
    int best = -1;
    try {
      maskMat.put(0, 0, dark, 0, n);
      int count =
          Imgproc.connectedComponentsWithStats(maskMat, labels, stats, centroids, 8, CvType.CV_32S);
      if (count <= 1) {
        return null;
      }
      int[] st = s.stats(count * 5);
      stats.get(0, 0, st);
      int bestArea = 0;
      int minSpan = Math.round(0.2f * Math.min(w, h));
      for (int l = 1; l < count; l++) {
        int left = st[5 * l];
        int top = st[5 * l + 1];
        int cw = st[5 * l + 2];
        int ch = st[5 * l + 3];
        int area = st[5 * l + 4];
        boolean border = left == 0 || top == 0 || left + cw == w || top + ch == h;
        if (border && area >= minArmArea && Math.max(cw, ch) >= minSpan && area > bestArea) {
          best = l;
          bestArea = area;
        }
      }
      if (best < 0) {
        return null;
      }
      labels.get(0, 0, s.comp);
    } finally {
      maskMat.release();
      labels.release();
      stats.release();
      centroids.release();
    }
    int[] lab = s.comp;
    // Geodesic distance inside the manipulator from where it enters (breadth-first, 8-neighbours):
    // its far end is the tool, even when the arm folds back or touches clutter.
    int[] dist = s.order;
    int[] queue = s.queue(n);
    for (int p = 0; p < n; p++) {
      if (lab[p] == best) {
        dist[p] = -1;
      }
    }
    // Where it enters: its longest run of pixels along the image border (the arm's thick first
    // link; when the tool also touches the border, its run is the shorter one).
    int perimeter = 2 * (w + h) - 4;
    int bestStart = -1;
    int bestLen = 0;
    int runStart = -1;
    int runLen = 0;
    for (int k = 0; k < 2 * perimeter; k++) {
      int p = borderPixel(k % perimeter, w, h);
      if (lab[p] == best) {
        if (runLen == 0) {
          runStart = k;
        }
        runLen++;
        if (runLen > bestLen && runLen <= perimeter) {
          bestLen = runLen;
          bestStart = runStart;
        }
      } else {
        runLen = 0;
      }
    }
    int qlen = 0;
    for (int k = bestStart; k < bestStart + bestLen; k++) {
      int p = borderPixel(k % perimeter, w, h);
      if (dist[p] < 0) {
        dist[p] = 0;
        queue[qlen++] = p;
      }
    }
    int head = 0;
    int far = 0;
    while (head < qlen) {
      int q = queue[head++];
      int qx = q % w;
      int qy = q / w;
      int dq = dist[q];
      far = Math.max(far, dq);
      for (int dy = -1; dy <= 1; dy++) {
        int ry = qy + dy;
        if (ry < 0 || ry >= h) {
          continue;
        }
        for (int dx = -1; dx <= 1; dx++) {
          int rx = qx + dx;
          if (rx < 0 || rx >= w) {
            continue;
          }
          int r = ry * w + rx;
          if (lab[r] == best && dist[r] < 0) {
            dist[r] = dq + 1;
            queue[qlen++] = r;
          }
        }
      }
    }
    // The tool: the manipulator's pixels within effectorRadiusFraction * width of its far end,
    // along it.
    int reach = Math.max(2, (int) Math.round(effectorRadiusFraction * w));
    Region tool = new Region();
    for (int k = 0; k < qlen; k++) {
      int p = queue[k];
      if (dist[p] >= far - reach) {
        tool.add(rgb, p, w);
      }
    }
    return tool.candidate(tool.sumX / tool.count, tool.sumY / tool.count);
  }

  /**
   * The floating hand, or null: the largest region of skin-coloured pixels whose area is about a
   * hand's, that fills its box reasonably, is not framed by saturated colour (a target zone's
   * tinted inside) and has a palm (a point at least {@value #PALM_MIN_DEPTH} of the palm radius
   * deep); the mark is the centroid of its deepest pixels, the palm's centre, which the thin
   * fingers do not move.
   */
  private Candidate hand(byte[] rgb, int w, int h, Scratch s) {
    if (handRadiusFraction <= 0) {
      return null;
    }
    int n = w * h;
    byte[] hsv = s.hsv;
    byte[] mask = s.mask;
    int any = 0;
    for (int p = 0; p < n; p++) {
      int hue = hsv[3 * p] & 0xff;
      int sat = hsv[3 * p + 1] & 0xff;
      boolean skin =
          hue >= SKIN_HUE_LO
              && hue <= SKIN_HUE_HI
              && sat >= SKIN_SAT_LO
              && sat <= SKIN_SAT_HI
              && (hsv[3 * p + 2] & 0xff) >= SKIN_MIN_V;
      mask[p] = skin ? (byte) 255 : 0;
      if (skin) {
        any++;
      }
    }
    double rx = handRadiusFraction * w;
    double ry = handRadiusFraction * VERTICAL_SCALE * h;
    double palm = Math.PI * rx * ry;
    if (any > SKIN_TABLE_AREA * palm) {
      // Much more skin-coloured area than a hand's: a wooden table of that hue. Keep only what is
      // brighter than most of it (a hand is lighter than wood).
      int[] hist = s.hist;
      java.util.Arrays.fill(hist, 0);
      for (int p = 0; p < n; p++) {
        if (mask[p] != 0) {
          hist[hsv[3 * p + 2] & 0xff]++;
        }
      }
      int want = (int) (any * SKIN_TABLE_PERCENTILE);
      int acc = 0;
      int v = 0;
      while (v < 255 && acc + hist[v] <= want) {
        acc += hist[v];
        v++;
      }
      int minV = (int) Math.ceil(v * SKIN_OVER_TABLE);
      any = 0;
      for (int p = 0; p < n; p++) {
        if (mask[p] != 0 && (hsv[3 * p + 2] & 0xff) < minV) {
          mask[p] = 0;
        } else if (mask[p] != 0) {
          any++;
        }
      }
    }
    if (any < SKIN_MIN_AREA * palm) {
      return null;
    }
    Mat maskMat = new Mat(h, w, CvType.CV_8UC1);
    Mat labels = new Mat();
    Mat stats = new Mat();
    Mat centroids = new Mat();
    Mat kernel = null;
    try {
      maskMat.put(0, 0, mask, 0, n);
      int count =
          Imgproc.connectedComponentsWithStats(maskMat, labels, stats, centroids, 8, CvType.CV_32S);
      if (count <= 1) {
        return null;
      }
      int[] st = s.stats(count * 5);
      stats.get(0, 0, st);
      int best = -1;
      int bestArea = 0;
      for (int l = 1; l < count; l++) {
        int area = st[5 * l + 4];
        double fill = area / (double) (st[5 * l + 2] * st[5 * l + 3]);
        if (area >= SKIN_MIN_AREA * palm
            && area <= SKIN_MAX_AREA * palm
            && fill >= SKIN_MIN_FILL
            && area > bestArea
            && !framed(
                hsv,
                w,
                h,
                st[5 * l] - 1,
                st[5 * l + 1] - 1,
                st[5 * l] + st[5 * l + 2],
                st[5 * l + 1] + st[5 * l + 3])) {
          best = l;
          bestArea = area;
        }
      }
      if (best < 0) {
        return null;
      }
      int[] lab = s.comp;
      labels.get(0, 0, lab);
      // The palm's centre: the hand's deepest points (largest distance to its outline), which the
      // thin fingers and thumb do not move.
      for (int p = 0; p < n; p++) {
        mask[p] = lab[p] == best ? (byte) 255 : 0;
      }
      maskMat.put(0, 0, mask, 0, n);
      // A hand that leaves the image continues past its border (replicated), so a palm cut by the
      // border keeps its centre.
      int pad = (int) Math.ceil(ry);
      int pw = w + 2 * pad;
      int ph = h + 2 * pad;
      kernel = new Mat();
      Mat padded = new Mat();
      try {
        Core.copyMakeBorder(maskMat, padded, pad, pad, pad, pad, Core.BORDER_REPLICATE);
        Imgproc.distanceTransform(padded, kernel, Imgproc.DIST_L2, Imgproc.DIST_MASK_PRECISE);
      } finally {
        padded.release();
      }
      float[] depth = s.depth(pw * ph);
      kernel.get(0, 0, depth);
      float deepest = 0;
      for (int i = 0; i < pw * ph; i++) {
        deepest = Math.max(deepest, depth[i]);
      }
      if (deepest < PALM_MIN_DEPTH * Math.min(rx, ry)) {
        return null; // no palm: a thin or ragged patch
      }
      float cut = deepest * PALM_DEPTH_FRACTION;
      double sx = 0;
      double sy = 0;
      int pn = 0;
      for (int i = 0; i < pw * ph; i++) {
        if (depth[i] >= cut) {
          sx += i % pw - pad;
          sy += i / pw - pad;
          pn++;
        }
      }
      double ax = 0;
      double ay = 0;
      long sr = 0;
      long sg = 0;
      long sb = 0;
      for (int p = 0; p < n; p++) {
        if (lab[p] != best) {
          continue;
        }
        ax += p % w;
        ay += p / w;
        sr += rgb[3 * p] & 0xff;
        sg += rgb[3 * p + 1] & 0xff;
        sb += rgb[3 * p + 2] & 0xff;
      }
      int bx = st[5 * best];
      int by = st[5 * best + 1];
      return Candidate.of(
          Math.min(w - 1, Math.max(0, pn > 0 ? sx / pn : ax / bestArea)),
          Math.min(h - 1, Math.max(0, pn > 0 ? sy / pn : ay / bestArea)),
          bx,
          by,
          bx + st[5 * best + 2] - 1,
          by + st[5 * best + 3] - 1,
          bestArea,
          sr,
          sg,
          sb);
    } finally {
      maskMat.release();
      labels.release();
      stats.release();
      centroids.release();
      if (kernel != null) {
        kernel.release();
      }
    }
  }

  /**
   * Whether the rectangle's outline (clipped to the image) is mostly saturated colour: the tinted
   * inside of a target zone, framed by its outline, rather than a hand.
   */
  private boolean framed(byte[] hsv, int w, int h, int x0, int y0, int x1, int y1) {
    int total = 0;
    int sat = 0;
    for (int x = Math.max(0, x0); x <= Math.min(w - 1, x1); x++) {
      for (int y : new int[] {y0, y1}) {
        if (y >= 0 && y < h) {
          total++;
          int p = y * w + x;
          if ((hsv[3 * p + 1] & 0xff) >= minS && (hsv[3 * p + 2] & 0xff) >= minV) {
            sat++;
          }
        }
      }
    }
    for (int y = Math.max(0, y0 + 1); y <= Math.min(h - 1, y1 - 1); y++) {
      for (int x : new int[] {x0, x1}) {
        if (x >= 0 && x < w) {
          total++;
          int p = y * w + x;
          if ((hsv[3 * p + 1] & 0xff) >= minS && (hsv[3 * p + 2] & 0xff) >= minV) {
            sat++;
          }
        }
      }
    }
    return total > 0 && sat >= FRAMED_FRACTION * total;
  }

  /** The k-th pixel walking clockwise around the image border from the top-left corner. */
  private static int borderPixel(int k, int w, int h) {
    if (k < w) {
      return k;
    }
    k -= w;
    if (k < h - 1) {
      return (k + 1) * w + w - 1;
    }
    k -= h - 1;
    if (k < w - 1) {
      return (h - 1) * w + (w - 2 - k);
    }
    k -= w - 1;
    return (h - 2 - k) * w;
  }

  /** A region found in a frame: centre, inclusive box, area in pixels and mean colour 0xRRGGBB. */
  private static final class Candidate {
    final double cx;
    final double cy;
    final int x0;
    final int y0;
    final int x1;
    final int y1;
    final int area;
    final int meanRgb;

    private Candidate(double cx, double cy, int x0, int y0, int x1, int y1, int area, int meanRgb) {
      this.cx = cx;
      this.cy = cy;
      this.x0 = x0;
      this.y0 = y0;
      this.x1 = x1;
      this.y1 = y1;
      this.area = area;
      this.meanRgb = meanRgb;
    }

    /** From the region's colour sums over its {@code area} pixels. */
    static Candidate of(
        double cx,
        double cy,
        int x0,
        int y0,
        int x1,
        int y1,
        int area,
        long sumR,
        long sumG,
        long sumB) {
      int mean = (int) (sumR / area) << 16 | (int) (sumG / area) << 8 | (int) (sumB / area);
      return new Candidate(cx, cy, x0, y0, x1, y1, area, mean);
    }
  }

  /** Accumulates a region's pixels: count, coordinate and colour sums, bounding box. */
  private static final class Region {
    int count;
    double sumX;
    double sumY;
    long sumR;
    long sumG;
    long sumB;
    int x0 = Integer.MAX_VALUE;
    int y0 = Integer.MAX_VALUE;
    int x1 = -1;
    int y1 = -1;

    void add(byte[] rgb, int p, int w) {
      int x = p % w;
      int y = p / w;
      count++;
      sumX += x;
      sumY += y;
      sumR += rgb[3 * p] & 0xff;
      sumG += rgb[3 * p + 1] & 0xff;
      sumB += rgb[3 * p + 2] & 0xff;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }

    /**
     * The region as a candidate with the given centre (mean colour and box from the pixels added).
     */
    Candidate candidate(double cx, double cy) {
      return Candidate.of(cx, cy, x0, y0, x1, y1, count, sumR, sumG, sumB);
    }
  }

  /** Per-thread buffers, grown on demand and reused, so a call allocates almost nothing. */
  private static final class Scratch {
    byte[] hsv = new byte[0];
    byte[] mask = new byte[0];
    int[] comp = new int[0];
    int[] order = new int[0];
    final int[] hist = new int[256];
    final int[] near = new int[9];
    private int[] blocks = new int[0];
    private int[] stats = new int[0];

    void ensure(int pixels) {
      if (comp.length < pixels) {
        hsv = new byte[pixels * 3];
        mask = new byte[pixels];
        comp = new int[pixels];
        order = new int[pixels];
      }
    }

    int[] blockBackground(int count) {
      if (blocks.length < count) {
        blocks = new int[count];
      }
      return blocks;
    }

    private int[] grown = new int[0];

    int[] grown(int count) {
      if (grown.length < count) {
        grown = new int[count];
      }
      return grown;
    }

    private int[] queue = new int[0];
    double[] chromaR = new double[0];
    double[] chromaG = new double[0];
    double[] grownR = new double[0];
    double[] grownG = new double[0];

    void ensureChroma(int count) {
      if (chromaR.length < count) {
        chromaR = new double[count];
        chromaG = new double[count];
        grownR = new double[count];
        grownG = new double[count];
      }
    }

    private float[] depth = new float[0];

    float[] depth(int count) {
      if (depth.length < count) {
        depth = new float[count];
      }
      return depth;
    }

    int[] queue(int count) {
      if (queue.length < count) {
        queue = new int[count];
      }
      return queue;
    }

    int[] stats(int count) {
      if (stats.length < count) {
        stats = new int[count];
      }
      return stats;
    }
  }

  /** Builder; every option has a documented default. */
  public static final class Builder {
    private double minSaturation = 0.42;
    private double minValue = 0.15;
    private double maxHueStepDeg = 10;
    private double maxHueSpreadDeg = 20;
    private double minAreaFraction = 0.0008;
    private double maxAreaFraction = 0.1;
    private boolean effector = true;
    private double darkRatio = 0.7;
    private double effectorRadiusFraction = 0.045;
    private double handRadiusFraction = 0.0402;
    private long maxPixels = 1L << 22;

    private Builder() {}

    /**
     * Largest frame proposed on at full size, pixels; larger frames are box-averaged down by an
     * integer factor first (coordinates are returned at full size). Bounds the per-thread scratch
     * memory (about 14 bytes per pixel). Default 4,194,304 (2048 x 2048).
     */
    public Builder optMaxPixels(long v) {
      this.maxPixels = v;
      return this;
    }

    /** HSV saturation (0..1) from which a pixel can belong to an object; default 0.42. */
    public Builder optMinSaturation(double v) {
      this.minSaturation = v;
      return this;
    }

    /** HSV value (0..1) from which a pixel can belong to an object; default 0.15. */
    public Builder optMinValue(double v) {
      this.minValue = v;
      return this;
    }

    /** Largest hue change between neighbouring pixels of one region, degrees; default 10. */
    public Builder optMaxHueStepDeg(double v) {
      this.maxHueStepDeg = v;
      return this;
    }

    /** Largest hue distance from a region's first pixel, degrees; default 20. */
    public Builder optMaxHueSpreadDeg(double v) {
      this.maxHueSpreadDeg = v;
      return this;
    }

    /**
     * Smallest region kept, as a fraction of the image area (at least 4 pixels); default 0.0008.
     */
    public Builder optMinAreaFraction(double v) {
      this.minAreaFraction = v;
      return this;
    }

    /** Largest region kept, as a fraction of the image area; default 0.1. */
    public Builder optMaxAreaFraction(double v) {
      this.maxAreaFraction = v;
      return this;
    }

    /** Whether to look for the end effector; default true. */
    public Builder optEffector(boolean v) {
      this.effector = v;
      return this;
    }

    /**
     * Manipulator pixels are darker than this fraction of the local table brightness; default 0.7.
     */
    public Builder optDarkRatio(double v) {
      this.darkRatio = v;
      return this;
    }

    /**
     * Radius around the manipulator's far end that makes the effector mark, fraction of the width;
     * default 0.045.
     */
    public Builder optEffectorRadiusFraction(double v) {
      this.effectorRadiusFraction = v;
      return this;
    }

    /**
     * The floating hand's palm radius as a fraction of the image width (vertically that times 4/3
     * of the height); 0 turns the hand search off. Default 0.0402 (the Mantis hand, 0.03 m, seen
     * from 1 m).
     */
    public Builder optHandRadiusFraction(double v) {
      this.handRadiusFraction = v;
      return this;
    }

    public MarkProposer build() {
      check(
          minSaturation > 0 && minSaturation < 1,
          "minSaturation must be in (0, 1): " + minSaturation);
      check(minValue >= 0 && minValue < 1, "minValue must be in [0, 1): " + minValue);
      check(
          maxHueStepDeg > 0 && maxHueStepDeg <= 180,
          "maxHueStepDeg must be in (0, 180]: " + maxHueStepDeg);
      check(
          maxHueSpreadDeg >= maxHueStepDeg && maxHueSpreadDeg <= 180,
          "maxHueSpreadDeg must be in [maxHueStepDeg, 180]: " + maxHueSpreadDeg);
      check(
          minAreaFraction >= 0 && minAreaFraction < maxAreaFraction && maxAreaFraction <= 1,
          "need 0 <= minAreaFraction < maxAreaFraction <= 1: "
              + minAreaFraction
              + ", "
              + maxAreaFraction);
      check(darkRatio > 0 && darkRatio < 1, "darkRatio must be in (0, 1): " + darkRatio);
      check(
          effectorRadiusFraction > 0 && effectorRadiusFraction < 0.5,
          "effectorRadiusFraction must be in (0, 0.5): " + effectorRadiusFraction);
      check(
          handRadiusFraction >= 0 && handRadiusFraction < 0.25,
          "handRadiusFraction must be in [0, 0.25): " + handRadiusFraction);
      check(maxPixels >= 64 * 64, "maxPixels must be at least 4096: " + maxPixels);
      return new MarkProposer(this);
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
