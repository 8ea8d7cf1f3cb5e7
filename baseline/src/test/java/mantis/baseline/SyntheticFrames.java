package mantis.baseline;

import java.util.Random;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.Frame;
import mantis.core.PixelPoint;

/** Draws simple test frames: a noisy grey table seen by a camera, with flat coloured shapes. */
final class SyntheticFrames {
  private final CameraModel camera;
  private final byte[] rgb;
  private final int w;
  private final int h;

  SyntheticFrames(CameraModel camera, long noiseSeed) {
    this.camera = camera;
    this.w = camera.widthPx();
    this.h = camera.heightPx();
    this.rgb = new byte[w * h * 3];
    Random rng = new Random(noiseSeed);
    for (int i = 0; i < w * h; i++) {
      int g = 150 + rng.nextInt(30);
      rgb[3 * i] = (byte) (g + 8);
      rgb[3 * i + 1] = (byte) g;
      rgb[3 * i + 2] = (byte) (g - 10);
    }
  }

  /**
   * A square (disc = false) or disc of half size {@code half} with its top at height z, in colour
   * rgb.
   */
  SyntheticFrames object(double xM, double yM, double half, double zM, boolean disc, int color) {
    for (int v = 0; v < h; v++) {
      for (int u = 0; u < w; u++) {
        var p = camera.pixelToTable(new PixelPoint(u, v), zM);
        if (p.isEmpty()) {
          continue;
        }
        double dx = p.get().xM() - xM;
        double dy = p.get().yM() - yM;
        boolean in =
            disc ? dx * dx + dy * dy <= half * half : Math.abs(dx) <= half && Math.abs(dy) <= half;
        if (in) {
          put(v * w + u, color);
        }
      }
    }
    return this;
  }

  /**
   * A square outline (a target zone) of half size {@code half} and line width {@code lineM} on the
   * table.
   */
  SyntheticFrames outline(double xM, double yM, double half, double lineM, int color) {
    for (int v = 0; v < h; v++) {
      for (int u = 0; u < w; u++) {
        var p = camera.pixelToTable(new PixelPoint(u, v), 0).orElseThrow();
        double m = Math.max(Math.abs(p.xM() - xM), Math.abs(p.yM() - yM));
        if (m <= half && m >= half - lineM) {
          put(v * w + u, color);
        }
      }
    }
    return this;
  }

  /** A dark grey bar (like an arm link) from a to b at height z. */
  SyntheticFrames bar(Vec3 a, Vec3 b, double halfWidthM) {
    for (int v = 0; v < h; v++) {
      for (int u = 0; u < w; u++) {
        var p = camera.pixelToTable(new PixelPoint(u, v), a.zM()).orElseThrow();
        double vx = b.xM() - a.xM();
        double vy = b.yM() - a.yM();
        double t = ((p.xM() - a.xM()) * vx + (p.yM() - a.yM()) * vy) / (vx * vx + vy * vy);
        t = Math.max(0, Math.min(1, t));
        if (Math.hypot(p.xM() - a.xM() - t * vx, p.yM() - a.yM() - t * vy) <= halfWidthM) {
          put(v * w + u, 0x4A4C52);
        }
      }
    }
    return this;
  }

  Frame frame() {
    return Frame.ofRgb(w, h, rgb);
  }

  private void put(int i, int color) {
    rgb[3 * i] = (byte) (color >> 16);
    rgb[3 * i + 1] = (byte) (color >> 8);
    rgb[3 * i + 2] = (byte) color;
  }
}
