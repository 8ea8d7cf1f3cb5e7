package mantis.baseline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import mantis.core.Frame;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

/**
 * Finds regions of saturated palette colours in an RGB frame with OpenCV: HSV conversion, a
 * saturation/value threshold, nearest-palette-hue labelling and connected components. Every {@link
 * Mat} is released before {@link #detect} returns. Thread-safe (no shared mutable state).
 */
final class ColourDetector {
  /** Brightness, relative to a region's brightest pixel, above which a pixel counts as top face. */
  static final double TOP_FACE_FRACTION = 0.71;

  /**
   * Per-thread scratch arrays, grown on demand and reused across calls: a detection allocates
   * almost nothing, which keeps garbage-collection pauses out of the serving latency tail.
   */
  private static final class Scratch {
    byte[] hsv = new byte[0];
    byte[] labels = new byte[0];
    byte[] mask = new byte[0];
    int[] componentLabels = new int[0];

    void ensure(int pixels) {
      if (labels.length < pixels) {
        hsv = new byte[pixels * 3];
        labels = new byte[pixels];
        mask = new byte[pixels];
        componentLabels = new int[pixels];
      }
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final byte[] hueToLabel;
  private final double minSaturation;
  private final double minValue;
  private final double maxHueDistanceDeg;
  private final double minAreaFraction;

  ColourDetector(
      double minSaturation, double minValue, double maxHueDistanceDeg, double minAreaFraction) {
    this.minSaturation = minSaturation;
    this.minValue = minValue;
    this.maxHueDistanceDeg = maxHueDistanceDeg;
    this.minAreaFraction = minAreaFraction;
    // Hue lookup table over OpenCV's 0..255 full-range hue.
    this.hueToLabel = new byte[256];
    for (int hv = 0; hv < 256; hv++) {
      Palette p = Palette.nearest(hv * 360.0 / 256.0, maxHueDistanceDeg);
      hueToLabel[hv] = (byte) (p == null ? 0 : p.ordinal() + 1);
    }
    OpenCvLoader.ensureLoaded();
  }

  /** Defaults tuned for the Mantis tabletop suite. */
  static ColourDetector defaults() {
    return new ColourDetector(0.45, 0.18, 15.0, 2.0 / (128 * 128));
  }

  /** Every palette-coloured region at least the minimum area, largest first within a colour. */
  List<Blob> detect(Frame frame) {
    int w = frame.widthPx();
    int h = frame.heightPx();
    byte[] rgb = frame.rgbUnsafe();
    int pixels = w * h;
    Scratch scratch = SCRATCH.get();
    scratch.ensure(pixels);
    byte[] hsv = scratch.hsv;
    Mat rgbMat = new Mat(h, w, CvType.CV_8UC3);
    Mat hsvMat = new Mat();
    try {
      rgbMat.put(0, 0, rgb);
      Imgproc.cvtColor(rgbMat, hsvMat, Imgproc.COLOR_RGB2HSV_FULL);
      hsvMat.get(0, 0, hsv);
    } finally {
      rgbMat.release();
      hsvMat.release();
    }

    Palette[] colours = Palette.values();
    byte[] labels = scratch.labels;
    int[] counts = new int[colours.length + 1];
    int minS = (int) Math.ceil(minSaturation * 255);
    int minV = (int) Math.ceil(minValue * 255);
    for (int i = 0, j = 0; i < pixels; i++, j += 3) {
      int s = hsv[j + 1] & 0xff;
      int v = hsv[j + 2] & 0xff;
      byte label = 0;
      if (s >= minS && v >= minV) {
        label = hueToLabel[hsv[j] & 0xff];
        counts[label]++;
      }
      labels[i] = label;
    }

    int minArea = Math.max(1, (int) Math.round(minAreaFraction * w * h));
    List<Blob> blobs = new ArrayList<>();
    for (int c = 1; c <= colours.length; c++) {
      if (counts[c] < minArea) {
        continue;
      }
      blobs.addAll(components(scratch, (byte) c, colours[c - 1], w, h, rgb, minArea));
    }
    return blobs;
  }

  private static List<Blob> components(
      Scratch scratch, byte label, Palette colour, int w, int h, byte[] rgb, int minArea) {
    int pixels = w * h;
    byte[] labels = scratch.labels;
    byte[] hsv = scratch.hsv;
    byte[] mask = scratch.mask;
    for (int i = 0; i < pixels; i++) {
      mask[i] = labels[i] == label ? (byte) 255 : 0;
    }
    Mat maskMat = new Mat(h, w, CvType.CV_8UC1);
    Mat ccLabels = new Mat();
    Mat stats = new Mat();
    Mat centroids = new Mat();
    List<Blob> out = new ArrayList<>();
    try {
      maskMat.put(0, 0, mask, 0, pixels);
      int n =
          Imgproc.connectedComponentsWithStats(
              maskMat, ccLabels, stats, centroids, 8, CvType.CV_32S);
      if (n <= 1) {
        return out;
      }
      int[] st = new int[n * 5];
      stats.get(0, 0, st);
      int[] lab = scratch.componentLabels;
      ccLabels.get(0, 0, lab);
      long[][] sums = new long[n][3];
      int[] maxV = new int[n];
      for (int i = 0; i < pixels; i++) {
        int l = lab[i];
        if (l > 0) {
          sums[l][0] += rgb[3 * i] & 0xff;
          sums[l][1] += rgb[3 * i + 1] & 0xff;
          sums[l][2] += rgb[3 * i + 2] & 0xff;
          maxV[l] = Math.max(maxV[l], hsv[3 * i + 2] & 0xff);
        }
      }
      // The lit top face: pixels at least TOP_FACE_FRACTION of the region's brightest. Objects'
      // sides
      // are drawn darker, and a centroid of the top face maps to the table at the top's height.
      double[] topX = new double[n];
      double[] topY = new double[n];
      int[] topCount = new int[n];
      int[] topBox = new int[n * 4];
      for (int l = 1; l < n; l++) {
        topBox[4 * l] = Integer.MAX_VALUE;
        topBox[4 * l + 1] = Integer.MAX_VALUE;
        topBox[4 * l + 2] = -1;
        topBox[4 * l + 3] = -1;
      }
      for (int i = 0; i < pixels; i++) {
        int l = lab[i];
        if (l > 0 && (hsv[3 * i + 2] & 0xff) >= TOP_FACE_FRACTION * maxV[l]) {
          int x = i % w;
          int y = i / w;
          topX[l] += x;
          topY[l] += y;
          topCount[l]++;
          topBox[4 * l] = Math.min(topBox[4 * l], x);
          topBox[4 * l + 1] = Math.min(topBox[4 * l + 1], y);
          topBox[4 * l + 2] = Math.max(topBox[4 * l + 2], x);
          topBox[4 * l + 3] = Math.max(topBox[4 * l + 3], y);
        }
      }
      for (int l = 1; l < n; l++) {
        int area = st[l * 5 + Imgproc.CC_STAT_AREA];
        if (area < minArea || topCount[l] == 0) {
          continue;
        }
        int mean =
            (int) (sums[l][0] / area) << 16
                | (int) (sums[l][1] / area) << 8
                | (int) (sums[l][2] / area);
        int left = topBox[4 * l];
        int top = topBox[4 * l + 1];
        int bw = topBox[4 * l + 2] - left + 1;
        int bh = topBox[4 * l + 3] - top + 1;
        out.add(
            new Blob(
                colour,
                new PixelPoint(topX[l] / topCount[l], topY[l] / topCount[l]),
                new PixelBox(left, top, bw, bh),
                area,
                topCount[l] / (double) (bw * bh),
                mean));
      }
    } finally {
      maskMat.release();
      ccLabels.release();
      stats.release();
      centroids.release();
    }
    out.sort(Comparator.comparingDouble(Blob::areaPx).reversed());
    return out;
  }
}
