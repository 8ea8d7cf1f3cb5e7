package mantis.latent.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * {@code loss.png}: reconstruction loss (left axis) and batch perplexity (right axis) against the
 * training step; faint raw values and a bias-corrected moving average on top. Drawn into a {@link
 * BufferedImage} (works headless) and written atomically.
 */
final class LossPlot {
  static final int DEFAULT_WIDTH_PX = 900;
  static final int DEFAULT_HEIGHT_PX = 500;
  private static final Color RECON = new Color(31, 119, 180);
  private static final Color PERPLEXITY = new Color(230, 120, 20);
  private static final int LEFT = 80;
  private static final int RIGHT = 80;
  private static final int TOP = 40;
  private static final int BOTTOM = 55;

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private LossPlot() {}

  /** Writes the plot of {@code rows} to {@code png} (via a temporary file and an atomic move). */
  static void write(Path png, List<LossLog.Row> rows, int widthPx, int heightPx)
      throws IOException {
    BufferedImage img = render(rows, widthPx, heightPx);
    Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
    if (!ImageIO.write(img, "png", tmp.toFile())) {
      throw new IOException("no PNG writer available");
    }
    Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static BufferedImage render(List<LossLog.Row> rows, int widthPx, int heightPx) {
    if (widthPx < LEFT + RIGHT + 50 || heightPx < TOP + BOTTOM + 50) {
      throw new IllegalArgumentException("plot size " + widthPx + "x" + heightPx + " too small");
    }
    BufferedImage img = new BufferedImage(widthPx, heightPx, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, widthPx, heightPx);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int x0 = LEFT;
      int x1 = widthPx - RIGHT;
      int y0 = heightPx - BOTTOM;
      int y1 = TOP;
      g.setColor(Color.BLACK);
      g.setFont(g.getFont().deriveFont(Font.BOLD, 14f));
      centred(
          g, "latent action training: reconstruction loss and perplexity", (x0 + x1) / 2, TOP - 15);
      g.setFont(g.getFont().deriveFont(Font.PLAIN, 12f));
      if (rows.isEmpty()) {
        g.drawRect(x0, y1, x1 - x0, y0 - y1);
        centred(g, "no steps logged yet", (x0 + x1) / 2, (y0 + y1) / 2);
        return img;
      }
      double sMin = rows.get(0).step();
      double sMax = rows.get(rows.size() - 1).step();
      if (sMax <= sMin) {
        sMin -= 0.5;
        sMax += 0.5;
      }
      double[] xr = niceRange(sMin, sMax);
      double[] lr = niceRange(0, max(rows, LossLog.Row::recon));
      double[] pr = niceRange(0, max(rows, LossLog.Row::perplexity));
      Axis xa = new Axis(xr[0], xr[1], x0, x1);
      Axis la = new Axis(lr[0], lr[1], y0, y1);
      Axis pa = new Axis(pr[0], pr[1], y0, y1);

      // grid and ticks
      g.setStroke(new BasicStroke(1f));
      FontMetrics fm = g.getFontMetrics();
      for (double v : ticks(xr)) {
        int x = (int) Math.round(xa.px(v));
        g.setColor(new Color(230, 230, 230));
        g.drawLine(x, y0, x, y1);
        g.setColor(Color.BLACK);
        g.drawLine(x, y0, x, y0 + 5);
        centred(g, label(v, xr[2]), x, y0 + 8 + fm.getAscent());
      }
      for (double v : ticks(lr)) {
        int y = (int) Math.round(la.px(v));
        g.setColor(new Color(230, 230, 230));
        g.drawLine(x0, y, x1, y);
        g.setColor(RECON.darker());
        g.drawLine(x0 - 5, y, x0, y);
        String s = label(v, lr[2]);
        g.drawString(s, x0 - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
      }
      for (double v : ticks(pr)) {
        int y = (int) Math.round(pa.px(v));
        g.setColor(PERPLEXITY.darker());
        g.drawLine(x1, y, x1 + 5, y);
        g.drawString(label(v, pr[2]), x1 + 8, y + fm.getAscent() / 2 - 1);
      }
      g.setColor(Color.BLACK);
      g.drawRect(x0, y1, x1 - x0, y0 - y1);
      centred(g, "step", (x0 + x1) / 2, heightPx - 12);
      g.setColor(RECON.darker());
      vertical(g, "reconstruction loss (MSE, pixels in [0, 1])", 18, (y0 + y1) / 2, -Math.PI / 2);
      g.setColor(PERPLEXITY.darker());
      vertical(g, "perplexity (codes in use per batch)", widthPx - 18, (y0 + y1) / 2, Math.PI / 2);

      // curves: raw faint, smoothed solid
      g.setClip(x0, y1, x1 - x0 + 1, y0 - y1 + 1);
      double decay = Ema.decayFor(rows.size());
      curve(g, rows, LossLog.Row::recon, xa, la, withAlpha(RECON, 70), 1f, -1);
      curve(g, rows, LossLog.Row::perplexity, xa, pa, withAlpha(PERPLEXITY, 70), 1f, -1);
      curve(g, rows, LossLog.Row::recon, xa, la, RECON, 2f, decay);
      curve(g, rows, LossLog.Row::perplexity, xa, pa, PERPLEXITY, 2f, decay);
      g.setClip(null);

      // legend
      int lx = x1 - 250;
      int ly = y1 + 10;
      g.setColor(new Color(255, 255, 255, 220));
      g.fillRect(lx, ly, 240, 44);
      g.setColor(Color.GRAY);
      g.drawRect(lx, ly, 240, 44);
      legend(g, lx + 8, ly + 15, RECON, "reconstruction loss (smoothed)");
      legend(g, lx + 8, ly + 34, PERPLEXITY, "perplexity (smoothed)");
      return img;
    } finally {
      g.dispose();
    }
  }

  private record Axis(double lo, double hi, double pxLo, double pxHi) {
    double px(double v) {
      return pxLo + (v - lo) / (hi - lo) * (pxHi - pxLo);
    }
  }

  private static void curve(
      Graphics2D g,
      List<LossLog.Row> rows,
      ToDoubleFunction<LossLog.Row> f,
      Axis xa,
      Axis ya,
      Color c,
      float width,
      double decay) {
    Path2D.Double path = new Path2D.Double();
    Ema ema = decay >= 0 ? new Ema(decay) : null;
    boolean started = false;
    for (LossLog.Row r : rows) {
      double v = f.applyAsDouble(r);
      if (!Double.isFinite(v)) {
        continue;
      }
      if (ema != null) {
        ema.add(v);
        v = ema.value();
      }
      double x = xa.px(r.step());
      double y = ya.px(v);
      if (started) {
        path.lineTo(x, y);
      } else {
        path.moveTo(x, y);
        started = true;
      }
    }
    g.setColor(c);
    g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    if (rows.size() == 1 && started) {
      double x = xa.px(rows.get(0).step());
      double y = ya.px(f.applyAsDouble(rows.get(0)));
      g.fillOval((int) x - 3, (int) y - 3, 6, 6);
    }
    g.draw(path);
  }

  private static void legend(Graphics2D g, int x, int y, Color c, String text) {
    g.setColor(c);
    g.setStroke(new BasicStroke(2f));
    g.drawLine(x, y - 4, x + 24, y - 4);
    g.setColor(Color.BLACK);
    g.drawString(text, x + 32, y);
  }

  private static Color withAlpha(Color c, int alpha) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
  }

  private static void centred(Graphics2D g, String s, int x, int baselineY) {
    g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, baselineY);
  }

  private static void vertical(Graphics2D g, String s, int x, int y, double angle) {
    AffineTransform old = g.getTransform();
    g.translate(x, y);
    g.rotate(angle);
    centred(g, s, 0, g.getFontMetrics().getAscent() / 2);
    g.setTransform(old);
  }

  private static double max(List<LossLog.Row> rows, ToDoubleFunction<LossLog.Row> f) {
    double m = 0;
    for (LossLog.Row r : rows) {
      double v = f.applyAsDouble(r);
      if (Double.isFinite(v)) {
        m = Math.max(m, v);
      }
    }
    return m > 0 ? m : 1;
  }

  /** {lo, hi, tickStep} with hi - lo covered by about 5 ticks of a 1-2-5 step. */
  static double[] niceRange(double lo, double hi) {
    double span = hi - lo;
    if (!(span > 0)) {
      span = Math.abs(hi) > 0 ? Math.abs(hi) : 1;
    }
    double raw = span / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double r = raw / mag;
    double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    double niceLo = Math.floor(lo / step) * step;
    double niceHi = Math.ceil(hi / step) * step;
    if (niceHi <= niceLo) {
      niceHi = niceLo + step;
    }
    return new double[] {niceLo, niceHi, step};
  }

  private static List<Double> ticks(double[] range) {
    List<Double> out = new ArrayList<>();
    long n = Math.round((range[1] - range[0]) / range[2]);
    for (long i = 0; i <= n; i++) {
      out.add(range[0] + i * range[2]);
    }
    return out;
  }

  private static String label(double v, double step) {
    if (Math.abs(v) < step * 1e-6) {
      return "0";
    }
    int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
    if (Math.abs(v) >= 1e5 || decimals > 4) {
      return String.format(Locale.ROOT, "%.1e", v);
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
