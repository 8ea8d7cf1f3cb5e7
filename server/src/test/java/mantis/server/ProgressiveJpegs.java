package mantis.server;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Progressive JPEGs for tests: a real one written by ImageIO, and the same image with extra scans
 * appended that a decoder must work through block by block although they cost a few bytes each (AC
 * scans of the luma component that code nothing but end-of-band runs, valid and warning-free after
 * the image's own scans have brought every coefficient to full precision).
 */
final class ProgressiveJpegs {
  private ProgressiveJpegs() {}

  /**
   * A progressive JPEG of a smooth gradient, as ImageIO writes it (libjpeg's default script: 10
   * scans).
   */
  static byte[] progressive(int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 0x60);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      writer.write(null, new IIOImage(img, null, null), p);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /**
   * {@code jpeg} (a progressive JPEG from {@link #progressive}) with {@code extra} scans inserted
   * before its EOI.
   */
  static byte[] withExtraScans(byte[] jpeg, int w, int h, int extra) {
    int eoi = jpeg.length - 2;
    if ((jpeg[eoi] & 0xff) != 0xFF || (jpeg[eoi + 1] & 0xff) != 0xD9) {
      throw new IllegalArgumentException("no EOI at the end");
    }
    int lumaId = lumaComponentId(jpeg);
    ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + extra * 24 + 32);
    out.write(jpeg, 0, eoi);
    // DHT: AC table 3 with two 2-bit codes: 00 = EOB14 (0xE0, a run of 2^14 + 14 bits blocks), 01 =
    // EOB.
    out.writeBytes(
        new byte[] {
          (byte) 0xFF,
          (byte) 0xC4,
          0,
          21,
          0x13,
          0,
          2,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          (byte) 0xE0,
          0x00
        });
    byte[] scan = scan(lumaId, ((w + 7) / 8) * ((h + 7) / 8));
    for (int i = 0; i < extra; i++) {
      out.writeBytes(scan);
    }
    out.write(0xFF);
    out.write(0xD9);
    return out.toByteArray();
  }

  /**
   * SOS for the luma component, AC band 1..63, Ah = Al = 0, AC table 3; then end-of-band runs over
   * every block.
   */
  private static byte[] scan(int lumaId, int blocks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xDA, 0, 8, 1, (byte) lumaId, 0x03, 1, 63, 0});
    BitWriter bits = new BitWriter(out);
    for (int covered = 0; covered < blocks; covered += 32767) {
      bits.write(0b00, 2); // EOB14
      bits.write(0x3FFF, 14); // run = 16384 + 16383 blocks
    }
    bits.flush();
    return out.toByteArray();
  }

  private static int lumaComponentId(byte[] jpeg) {
    for (int i = 2; i + 9 < jpeg.length; ) {
      if ((jpeg[i] & 0xff) != 0xFF) {
        throw new IllegalArgumentException("lost in the JPEG at " + i);
      }
      int marker = jpeg[i + 1] & 0xff;
      int len = (jpeg[i + 2] & 0xff) << 8 | (jpeg[i + 3] & 0xff);
      if (marker == 0xC2) {
        return jpeg[i + 10] & 0xff; // SOF2: P(1) Y(2) X(2) Nf(1), then the first component's id
      }
      i += 2 + len;
    }
    throw new IllegalArgumentException("no SOF2: not a progressive JPEG");
  }

  /**
   * Bits MSB first into entropy-coded bytes (0xFF stuffed with 0x00, the last byte padded with 1
   * bits).
   */
  private static final class BitWriter {
    private final ByteArrayOutputStream out;
    private int acc;
    private int n;

    BitWriter(ByteArrayOutputStream out) {
      this.out = out;
    }

    void write(int value, int count) {
      for (int i = count - 1; i >= 0; i--) {
        acc = acc << 1 | (value >> i & 1);
        if (++n == 8) {
          emit();
        }
      }
    }

    void flush() {
      while (n != 0) {
        write(1, 1);
      }
    }

    private void emit() {
      out.write(acc);
      if (acc == 0xFF) {
        out.write(0);
      }
      acc = 0;
      n = 0;
    }
  }
}
