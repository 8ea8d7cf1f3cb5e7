package mantis.sim.record;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import mantis.core.Frame;

/** RGB8 frames to and from PNG files with ImageIO. */
final class Png {
  private Png() {}

  static void write(Frame frame, Path file) throws IOException {
    int w = frame.widthPx();
    int h = frame.heightPx();
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    byte[] src = frame.rgbUnsafe();
    for (int i = 0; i < src.length; i += 3) {
      dst[i] = src[i + 2];
      dst[i + 1] = src[i + 1];
      dst[i + 2] = src[i];
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  static Frame read(Path file) throws IOException {
    BufferedImage img = ImageIO.read(file.toFile());
    if (img == null) {
      throw new IOException("not a readable image: " + file);
    }
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] rgb = new byte[w * h * 3];
    if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      byte[] src = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < rgb.length; i += 3) {
        rgb[i] = src[i + 2];
        rgb[i + 1] = src[i + 1];
        rgb[i + 2] = src[i];
      }
    } else {
      int k = 0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int p = img.getRGB(x, y);
          rgb[k++] = (byte) (p >> 16);
          rgb[k++] = (byte) (p >> 8);
          rgb[k++] = (byte) p;
        }
      }
    }
    return Frame.wrapRgb(w, h, rgb);
  }
}
