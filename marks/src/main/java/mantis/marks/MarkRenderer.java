package mantis.marks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import mantis.core.Frame;
import mantis.core.Mark;
import mantis.core.PixelPoint;
import mantis.core.Trace;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.MatOfPoint;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Draws marks and traces in Magma's style: every mark a filled disc, with its number in white,
 * centred on its centroid, sized to the image width ({@value #DISC_RADIUS_FRACTION} of it, at least
 * 5 pixels); every trace a polyline in its mark's colour ending in an arrowhead. Draws traces
 * first, so the numbers stay readable. Returns new frames; the input is never modified.
 *
 * <p>Thread-safe (stateless); every OpenCV {@code Mat} is released before a call returns.
 */
public final class MarkRenderer {
  /** Disc radius as a fraction of the image width. */
  public static final double DISC_RADIUS_FRACTION = 0.035;

  /** zlib level of {@link #png}: fast, still lossless. */
  static final int PNG_COMPRESSION = 1;

  /** Dark, distinct disc colours (RGB) that white digits stand out on; mark id picks one. */
  private static final int[] DISC_RGB = {
    0x1F4E9A, 0xA0262E, 0x1E7A3C, 0x7A3D99, 0xB35A00, 0x00707A, 0x8A2D6B, 0x4A4A4A
  };

  public MarkRenderer() {
    OpenCv.ensureLoaded();
  }

  /** The disc colour of a mark id, packed 0xRRGGBB. */
  public static int colourOf(int markId) {
    return DISC_RGB[Math.floorMod(markId - 1, DISC_RGB.length)];
  }

  /** Disc radius in pixels for an image {@code widthPx} wide. */
  public static int discRadiusPx(int widthPx) {
    return Math.max(5, (int) Math.round(DISC_RADIUS_FRACTION * widthPx));
  }

  /** A copy of {@code frame} with {@code traces} and {@code marks} drawn on it. */
  public Frame draw(Frame frame, List<Mark> marks, List<Trace> traces) {
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(marks, "marks");
    Objects.requireNonNull(traces, "traces");
    int w = frame.widthPx();
    int h = frame.heightPx();
    byte[] out = new byte[w * h * 3];
    Mat img = new Mat(h, w, CvType.CV_8UC3);
    try {
      img.put(0, 0, frame.rgbUnsafe());
      drawInto(img, w, marks, traces);
      img.get(0, 0, out);
    } finally {
      img.release();
    }
    return Frame.wrapRgb(w, h, out);
  }

  private static Scalar rgb(int packed) {
    // The Mat holds RGB (not OpenCV's usual BGR): channel 0 is red.
    return new Scalar((packed >> 16) & 0xff, (packed >> 8) & 0xff, packed & 0xff);
  }

  private static void drawInto(Mat img, int w, List<Mark> marks, List<Trace> traces) {
    int thickness = Math.max(1, (int) Math.round(w / 200.0));
    int radius = discRadiusPx(w);
    for (Trace t : traces) {
      List<PixelPoint> pts = t.points();
      if (pts.isEmpty() || !finite(pts)) {
        continue;
      }
      Scalar c = rgb(brighter(colourOf(t.markId())));
      if (pts.size() >= 2) {
        List<Point> cv = new ArrayList<>(pts.size());
        for (PixelPoint p : pts) {
          cv.add(new Point(p.xPx(), p.yPx()));
        }
        MatOfPoint poly = new MatOfPoint();
        try {
          poly.fromList(cv.subList(0, cv.size() - 1));
          if (cv.size() >= 3) {
            Imgproc.polylines(img, List.of(poly), false, c, thickness, Imgproc.LINE_AA);
          }
        } finally {
          poly.release();
        }
        Point a = cv.get(cv.size() - 2);
        Point b = cv.get(cv.size() - 1);
        double len = Math.hypot(b.x - a.x, b.y - a.y);
        double tip = len < 1e-6 ? 0.3 : Math.min(0.9, Math.max(0.3, radius * 1.2 / len));
        Imgproc.arrowedLine(img, a, b, c, thickness, Imgproc.LINE_AA, 0, tip);
      }
    }
    for (Mark m : marks) {
      double x = m.centroid().xPx();
      double y = m.centroid().yPx();
      if (!Double.isFinite(x) || !Double.isFinite(y)) {
        continue;
      }
      Point centre = new Point(x, y);
      Imgproc.circle(img, centre, radius, rgb(colourOf(m.id())), -1, Imgproc.LINE_AA);
      Imgproc.circle(img, centre, radius, new Scalar(255, 255, 255), 1, Imgproc.LINE_AA);
      String text = Integer.toString(m.id());
      int font = Imgproc.FONT_HERSHEY_SIMPLEX;
      // Digits about 1.1 radius tall; Hershey simplex digits are about 22 units tall at scale 1.
      double scale = radius * 1.1 / 22.0 / Math.max(1, text.length() * 0.7);
      int textThickness = Math.max(1, (int) Math.round(radius / 8.0));
      int[] baseline = new int[1];
      Size size = Imgproc.getTextSize(text, font, scale, textThickness, baseline);
      Point org = new Point(x - size.width / 2.0, y + size.height / 2.0);
      Imgproc.putText(
          img, text, org, font, scale, new Scalar(255, 255, 255), textThickness, Imgproc.LINE_AA);
    }
  }

  private static boolean finite(List<PixelPoint> pts) {
    for (PixelPoint p : pts) {
      if (!Double.isFinite(p.xPx())
          || !Double.isFinite(p.yPx())
          || Math.abs(p.xPx()) > 1e6
          || Math.abs(p.yPx()) > 1e6) {
        return false;
      }
    }
    return true;
  }

  private static int brighter(int packed) {
    int r = Math.min(255, ((packed >> 16) & 0xff) + 90);
    int g = Math.min(255, ((packed >> 8) & 0xff) + 90);
    int b = Math.min(255, (packed & 0xff) + 90);
    return r << 16 | g << 8 | b;
  }

  /** {@code frame} as a PNG file (RGB, 8 bits per channel, fast compression). */
  public byte[] png(Frame frame) {
    Objects.requireNonNull(frame, "frame");
    Mat rgbMat = new Mat(frame.heightPx(), frame.widthPx(), CvType.CV_8UC3);
    Mat bgr = new Mat();
    MatOfByte buf = new MatOfByte();
    MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_PNG_COMPRESSION, PNG_COMPRESSION);
    try {
      rgbMat.put(0, 0, frame.rgbUnsafe());
      Imgproc.cvtColor(rgbMat, bgr, Imgproc.COLOR_RGB2BGR);
      if (!Imgcodecs.imencode(".png", bgr, buf, params)) {
        throw new IllegalStateException("OpenCV could not encode a " + frame + " as PNG");
      }
      return buf.toArray();
    } finally {
      rgbMat.release();
      bgr.release();
      buf.release();
      params.release();
    }
  }
}
