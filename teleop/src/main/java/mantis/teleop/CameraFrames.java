package mantis.teleop;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import mantis.core.Frame;
import mantis.ros.msg.CompressedImage;
import mantis.ros.msg.Image;

/**
 * Camera messages from ROS as RGB {@link Frame}s, and resizing for the policy and the live view.
 * Every method that reads a message throws {@link IllegalArgumentException} with the reason.
 */
final class CameraFrames {
  static {
    ImageIO.setUseCache(false);
  }

  /** Largest camera side accepted, pixels (as the server's frame limit). */
  static final int MAX_SIDE_PX = Frame.MAX_SIDE_PX;

  private CameraFrames() {}

  /** An {@code rgb8} or {@code bgr8} image as RGB (row padding dropped). */
  static Frame fromImage(Image image) {
    String enc = image.encoding();
    boolean bgr = "bgr8".equals(enc);
    if (!bgr && !"rgb8".equals(enc)) {
      throw new IllegalArgumentException(
          "image encoding '"
              + enc
              + "' is not supported; publish rgb8 or bgr8"
              + " (or use a compressed image topic)");
    }
    long w = image.width();
    long h = image.height();
    checkSize(w, h);
    long row = w * 3;
    long step = image.stepBytes();
    if (step < row) {
      throw new IllegalArgumentException(
          "image step " + step + " bytes is less than width * 3 = " + row);
    }
    long needed = step * (h - 1) + row;
    if (image.dataLength() < needed) {
      throw new IllegalArgumentException(
          "image data has "
              + image.dataLength()
              + " bytes; "
              + w
              + " x "
              + h
              + " "
              + enc
              + " with step "
              + step
              + " needs "
              + needed);
    }
    ByteBuffer src = image.dataView();
    byte[] rgb = new byte[(int) (row * h)];
    for (int y = 0; y < h; y++) {
      int s = (int) (y * step);
      int d = (int) (y * row);
      src.get(s, rgb, d, (int) row);
      if (bgr) {
        for (int x = d; x < d + row; x += 3) {
          byte b = rgb[x];
          rgb[x] = rgb[x + 2];
          rgb[x + 2] = b;
        }
      }
    }
    return Frame.wrapRgb((int) w, (int) h, rgb);
  }

  /** A JPEG or PNG compressed image, decoded (its size checked from the header first). */
  static Frame fromCompressed(CompressedImage image) {
    byte[] data = image.data();
    String format;
    if (data.length >= 3
        && (data[0] & 0xFF) == 0xFF
        && (data[1] & 0xFF) == 0xD8
        && (data[2] & 0xFF) == 0xFF) {
      format = "jpeg";
    } else if (data.length >= 8
        && (data[0] & 0xFF) == 0x89
        && data[1] == 'P'
        && data[2] == 'N'
        && data[3] == 'G') {
      format = "png";
    } else {
      throw new IllegalArgumentException(
          "compressed image (format '"
              + image.format()
              + "', "
              + data.length
              + " bytes) is neither a JPEG nor a PNG file");
    }
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new IllegalStateException("no " + format + " reader in this JVM");
    }
    ImageReader reader = readers.next();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
      reader.setInput(in, true, true);
      checkSize(reader.getWidth(0), reader.getHeight(0));
      return fromBuffered(reader.read(0));
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException(
          "cannot decode the " + format + " image (" + data.length + " bytes): " + e, e);
    } finally {
      reader.dispose();
    }
  }

  private static void checkSize(long w, long h) {
    if (w < 1 || h < 1 || w > MAX_SIDE_PX || h > MAX_SIDE_PX) {
      throw new IllegalArgumentException(
          "image is " + w + " x " + h + " px; each side must be 1.." + MAX_SIDE_PX);
    }
  }

  /**
   * {@code frame} scaled to exactly {@code widthPx x heightPx} (bilinear; the aspect may change).
   */
  static Frame resize(Frame frame, int widthPx, int heightPx) {
    if (frame.widthPx() == widthPx && frame.heightPx() == heightPx) {
      return frame;
    }
    BufferedImage src = toBuffered(frame);
    BufferedImage dst = new BufferedImage(widthPx, heightPx, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = dst.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, widthPx, heightPx, null);
    } finally {
      g.dispose();
    }
    return fromBuffered(dst);
  }

  /**
   * {@code frame} scaled so that its longer side is {@code maxSidePx} (aspect kept; never enlarged
   * past it).
   */
  static Frame fit(Frame frame, int maxSidePx) {
    int w = frame.widthPx();
    int h = frame.heightPx();
    double s = (double) maxSidePx / Math.max(w, h);
    return resize(
        frame, Math.max(1, (int) Math.round(w * s)), Math.max(1, (int) Math.round(h * s)));
  }

  private static BufferedImage toBuffered(Frame frame) {
    BufferedImage img =
        new BufferedImage(frame.widthPx(), frame.heightPx(), BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    byte[] rgb = frame.rgbUnsafe();
    for (int i = 0; i < bgr.length; i += 3) {
      bgr[i] = rgb[i + 2];
      bgr[i + 1] = rgb[i + 1];
      bgr[i + 2] = rgb[i];
    }
    return img;
  }

  private static Frame fromBuffered(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] rgb = new byte[w * h * 3];
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < rgb.length; i += 3) {
        rgb[i] = bgr[i + 2];
        rgb[i + 1] = bgr[i + 1];
        rgb[i + 2] = bgr[i];
      }
    } else {
      int[] line = new int[w];
      int o = 0;
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, w, 1, line, 0, w);
        for (int x = 0; x < w; x++) {
          int p = line[x];
          rgb[o++] = (byte) (p >> 16);
          rgb[o++] = (byte) (p >> 8);
          rgb[o++] = (byte) p;
        }
      }
    }
    return Frame.wrapRgb(w, h, rgb);
  }
}
