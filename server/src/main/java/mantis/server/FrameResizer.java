package mantis.server;

import mantis.core.Frame;

/**
 * Resizes RGB8 frames to the policy's input size: box-averaging when shrinking, bilinear when
 * growing. Shared by the observation decoder and the training-data recorder, so recorded frames are
 * resized as served ones are.
 */
public final class FrameResizer {
  private FrameResizer() {}

  /** The frame at this size; the same frame when it already has it. */
  public static Frame resize(Frame src, int widthPx, int heightPx) {
    if (src.widthPx() == widthPx && src.heightPx() == heightPx) {
      return src;
    }
    byte[] in = src.rgbUnsafe();
    int sw = src.widthPx();
    int sh = src.heightPx();
    byte[] out = new byte[widthPx * heightPx * 3];
    double sx = (double) sw / widthPx;
    double sy = (double) sh / heightPx;
    for (int y = 0; y < heightPx; y++) {
      double y0 = y * sy;
      double y1 = y0 + sy;
      for (int x = 0; x < widthPx; x++) {
        double x0 = x * sx;
        double x1 = x0 + sx;
        int o = (y * widthPx + x) * 3;
        if (sx >= 1 && sy >= 1) {
          boxAverage(in, sw, x0, x1, y0, y1, out, o);
        } else {
          bilinear(in, sw, sh, (x + 0.5) * sx - 0.5, (y + 0.5) * sy - 0.5, out, o);
        }
      }
    }
    return Frame.wrapRgb(widthPx, heightPx, out);
  }

  private static void boxAverage(
      byte[] in, int sw, double x0, double x1, double y0, double y1, byte[] out, int o) {
    int xa = (int) Math.floor(x0);
    int xb = Math.max(xa + 1, (int) Math.ceil(x1 - 1e-9));
    int ya = (int) Math.floor(y0);
    int yb = Math.max(ya + 1, (int) Math.ceil(y1 - 1e-9));
    double r = 0;
    double g = 0;
    double b = 0;
    double total = 0;
    for (int yy = ya; yy < yb; yy++) {
      double wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
      for (int xx = xa; xx < xb; xx++) {
        double wgt = wy * (Math.min(xx + 1, x1) - Math.max(xx, x0));
        int i = (yy * sw + xx) * 3;
        r += wgt * (in[i] & 0xff);
        g += wgt * (in[i + 1] & 0xff);
        b += wgt * (in[i + 2] & 0xff);
        total += wgt;
      }
    }
    out[o] = (byte) Math.round(r / total);
    out[o + 1] = (byte) Math.round(g / total);
    out[o + 2] = (byte) Math.round(b / total);
  }

  private static void bilinear(byte[] in, int sw, int sh, double fx, double fy, byte[] out, int o) {
    fx = Math.max(0, Math.min(sw - 1, fx));
    fy = Math.max(0, Math.min(sh - 1, fy));
    int x0 = (int) fx;
    int y0 = (int) fy;
    int x1 = Math.min(sw - 1, x0 + 1);
    int y1 = Math.min(sh - 1, y0 + 1);
    double ax = fx - x0;
    double ay = fy - y0;
    for (int c = 0; c < 3; c++) {
      double top =
          (1 - ax) * (in[(y0 * sw + x0) * 3 + c] & 0xff) + ax * (in[(y0 * sw + x1) * 3 + c] & 0xff);
      double bot =
          (1 - ax) * (in[(y1 * sw + x0) * 3 + c] & 0xff) + ax * (in[(y1 * sw + x1) * 3 + c] & 0xff);
      out[o + c] = (byte) Math.round((1 - ay) * top + ay * bot);
    }
  }
}
