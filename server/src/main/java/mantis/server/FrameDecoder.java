package mantis.server;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import mantis.core.Frame;
import mantis.proto.v1.FrameEncoding;

/**
 * Turns a wire frame (raw RGB8, JPEG or PNG) into a {@link Frame}, rejecting anything malformed
 * with a precise description. Encoded images are checked against the size limits from their header
 * before their pixels are decoded ({@link #open}), so a small file cannot claim a huge image and
 * the caller can budget the decode; {@link Opened#decode} can subsample, so a big image is decoded
 * straight to about the size it is needed at. Thread-safe.
 */
final class FrameDecoder {
  static {
    ImageIO.setUseCache(false);
  }

  private final int maxSidePx;
  private final long maxPixels;

  FrameDecoder(int maxSidePx, long maxPixels) {
    this.maxSidePx = maxSidePx;
    this.maxPixels = maxPixels;
  }

  /**
   * A frame whose header has been read and checked against the limits; its pixels are not decoded
   * yet.
   */
  interface Opened extends AutoCloseable {
    int widthPx();

    int heightPx();

    /**
     * Decodes the pixels, keeping every {@code subsampleX}-th column and {@code subsampleY}-th row
     * (1: all), so a big image never exists at full size in memory: the result is ceil(width /
     * subsampleX) x ceil(height / subsampleY) pixels.
     */
    Frame decode(int subsampleX, int subsampleY) throws InvalidInputException;

    @Override
    void close();
  }

  /** Decodes a whole frame at its own size. */
  Frame decode(mantis.proto.v1.Frame wire, String field) throws InvalidInputException {
    try (Opened o = open(wire, field)) {
      return o.decode(1, 1);
    }
  }

  /**
   * Reads and checks a frame's header (size limits, encoding, width/height hints) without decoding
   * pixels. The caller closes the result.
   */
  Opened open(mantis.proto.v1.Frame wire, String field) throws InvalidInputException {
    FrameEncoding encoding = wire.getEncoding();
    switch (encoding) {
      case FRAME_ENCODING_RAW_RGB8:
        return openRaw(wire, field);
      case FRAME_ENCODING_JPEG:
        return openEncoded(wire, field, "JPEG", "jpeg");
      case FRAME_ENCODING_PNG:
        return openEncoded(wire, field, "PNG", "png");
      case FRAME_ENCODING_UNSPECIFIED:
        throw new InvalidInputException(
            field
                + ".encoding is not set (FRAME_ENCODING_UNSPECIFIED); use FRAME_ENCODING_RAW_RGB8, "
                + "FRAME_ENCODING_JPEG or FRAME_ENCODING_PNG");
      default:
        throw new InvalidInputException(
            field
                + ".encoding has unknown value "
                + wire.getEncodingValue()
                + "; known: 1 (RAW_RGB8), 2 (JPEG), 3 (PNG)");
    }
  }

  private Opened openRaw(mantis.proto.v1.Frame wire, String field) throws InvalidInputException {
    int w = wire.getWidthPx();
    int h = wire.getHeightPx();
    checkSize(w, h, field, "RAW_RGB8 frame");
    long expected = (long) w * h * 3;
    int got = wire.getData().size();
    if (got != expected) {
      throw new InvalidInputException(
          field
              + ": RAW_RGB8 frame of "
              + w
              + "x"
              + h
              + " px needs width*height*3 = "
              + expected
              + " bytes, got "
              + got);
    }
    return new Opened() {
      @Override
      public int widthPx() {
        return w;
      }

      @Override
      public int heightPx() {
        return h;
      }

      @Override
      public Frame decode(int sx, int sy) {
        if (sx <= 1 && sy <= 1) {
          return Frame.wrapRgb(w, h, wire.getData().toByteArray());
        }
        int ow = (w + sx - 1) / sx;
        int oh = (h + sy - 1) / sy;
        java.nio.ByteBuffer src = wire.getData().asReadOnlyByteBuffer();
        byte[] out = new byte[ow * oh * 3];
        int o = 0;
        for (int y = 0; y < oh; y++) {
          int row = y * sy * w * 3;
          for (int x = 0; x < ow; x++) {
            int i = row + x * sx * 3;
            out[o++] = src.get(i);
            out[o++] = src.get(i + 1);
            out[o++] = src.get(i + 2);
          }
        }
        return Frame.wrapRgb(ow, oh, out);
      }

      @Override
      public void close() {}
    };
  }

  private void checkSize(int w, int h, String field, String what) throws InvalidInputException {
    if (w <= 0 || h <= 0) {
      throw new InvalidInputException(
          field
              + ": "
              + what
              + " size "
              + w
              + "x"
              + h
              + " px is empty; width_px and height_px must be >= 1");
    }
    if (w > maxSidePx || h > maxSidePx || (long) w * h > maxPixels) {
      throw new InvalidInputException(
          field
              + ": "
              + what
              + " size "
              + w
              + "x"
              + h
              + " px is too large; at most "
              + maxSidePx
              + " px per side and "
              + maxPixels
              + " px in all");
    }
  }

  private Opened openEncoded(mantis.proto.v1.Frame wire, String field, String name, String format)
      throws InvalidInputException {
    byte[] data = wire.getData().toByteArray();
    if (data.length == 0) {
      throw new InvalidInputException(field + ": " + name + " frame has no data");
    }
    if (!hasMagic(data, format)) {
      throw new InvalidInputException(
          field
              + ": data is not a "
              + name
              + " file ("
              + data.length
              + " bytes, first bytes "
              + hexPrefix(data)
              + ", expected "
              + (format.equals("png") ? "89 50 4E 47" : "FF D8 FF")
              + ")");
    }
    if (format.equals("jpeg")) {
      checkScans(data, field);
    }
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new IllegalStateException("no " + name + " reader in this JVM");
    }
    ImageReader reader = readers.next();
    ImageInputStream in = null;
    boolean ok = false;
    try {
      in = ImageIO.createImageInputStream(new ByteArrayInputStream(data));
      reader.setInput(in, true, true);
      StringBuilder warnings = new StringBuilder();
      IIOReadWarningListener listener = (source, warning) -> warnings.append(warning).append("; ");
      reader.addIIOReadWarningListener(listener);
      int w;
      int h;
      try {
        w = reader.getWidth(0);
        h = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw new InvalidInputException(
            field
                + ": truncated or corrupt "
                + name
                + " ("
                + data.length
                + " bytes), unreadable header: "
                + describe(e));
      }
      checkSize(w, h, field, name + " image");
      checkHint(wire.getWidthPx(), w, field, "width_px", name);
      checkHint(wire.getHeightPx(), h, field, "height_px", name);
      Opened opened = new EncodedFrame(reader, in, warnings, field, name, data.length, w, h);
      ok = true;
      return opened;
    } catch (IOException e) {
      throw new InvalidInputException(field + ": cannot read " + name + ": " + describe(e));
    } finally {
      if (!ok) {
        reader.dispose();
        closeQuietly(in);
      }
    }
  }

  /**
   * Refuses a JPEG with more than {@value #MAX_JPEG_SCANS} scans before anything is decoded. A
   * progressive JPEG codes its pixels in several scans (libjpeg's default script has 10), and the
   * decoder works through every block of the image for each, however few bytes the scan takes: a
   * few hundred KB of near-empty scans cost seconds of CPU. The count walks the marker segments (an
   * embedded thumbnail's markers inside an APP segment are skipped) and each scan's entropy-coded
   * data, in one pass over the bytes; a file that ends early is left for the decoder to refuse.
   */
  static void checkScans(byte[] data, String field) throws InvalidInputException {
    int scans = countScans(data, MAX_JPEG_SCANS + 1);
    if (scans > MAX_JPEG_SCANS) {
      throw new InvalidInputException(
          field
              + ": JPEG has more than "
              + MAX_JPEG_SCANS
              + " scans (SOS markers); "
              + "this server decodes at most "
              + MAX_JPEG_SCANS
              + " per image, since every scan costs a pass over the "
              + "whole image; send a baseline JPEG or a standard progressive one (about 10 scans)");
    }
  }

  /** The most scans a JPEG may have (see {@link #checkScans}). */
  static final int MAX_JPEG_SCANS = 64;

  /** The SOS markers of a JPEG, counting no further than {@code stopAt}. */
  static int countScans(byte[] d, int stopAt) {
    int scans = 0;
    int i = 2; // after SOI
    int n = d.length;
    while (i + 1 < n && scans < stopAt) {
      if ((d[i] & 0xff) != 0xFF) {
        return scans; // not at a marker: corrupt, the decoder will say so
      }
      int marker = d[i + 1] & 0xff;
      if (marker == 0xFF) {
        i++; // fill byte
        continue;
      }
      i += 2;
      if (marker == 0xD9) {
        return scans; // EOI
      }
      if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD7) {
        continue; // no length
      }
      if (i + 1 >= n) {
        return scans;
      }
      int len = (d[i] & 0xff) << 8 | (d[i + 1] & 0xff);
      if (len < 2) {
        return scans;
      }
      i += len;
      if (marker == 0xDA) {
        scans++;
        // Entropy-coded data: up to the next marker that is not a stuffed 0xFF00 or a restart
        // marker.
        while (i + 1 < n) {
          if ((d[i] & 0xff) == 0xFF) {
            int next = d[i + 1] & 0xff;
            if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF) {
              break;
            }
            i += next == 0xFF ? 1 : 2;
          } else {
            i++;
          }
        }
      }
    }
    return scans;
  }

  private static void closeQuietly(ImageInputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // a stream over a byte array: nothing to release
      }
    }
  }

  /** An encoded image with its reader positioned after the header. */
  private static final class EncodedFrame implements Opened {
    private final ImageReader reader;
    private final ImageInputStream in;
    private final StringBuilder warnings;
    private final String field;
    private final String name;
    private final int bytes;
    private final int w;
    private final int h;

    EncodedFrame(
        ImageReader reader,
        ImageInputStream in,
        StringBuilder warnings,
        String field,
        String name,
        int bytes,
        int w,
        int h) {
      this.reader = reader;
      this.in = in;
      this.warnings = warnings;
      this.field = field;
      this.name = name;
      this.bytes = bytes;
      this.w = w;
      this.h = h;
    }

    @Override
    public int widthPx() {
      return w;
    }

    @Override
    public int heightPx() {
      return h;
    }

    @Override
    public Frame decode(int sx, int sy) throws InvalidInputException {
      BufferedImage image;
      try {
        ImageReadParam param = reader.getDefaultReadParam();
        if (sx > 1 || sy > 1) {
          param.setSourceSubsampling(Math.max(1, sx), Math.max(1, sy), 0, 0);
        }
        image = reader.read(0, param);
      } catch (IOException | RuntimeException e) {
        throw new InvalidInputException(
            field + ": truncated or corrupt " + name + " (" + bytes + " bytes): " + describe(e));
      }
      if (warnings.length() > 0) {
        throw new InvalidInputException(
            field
                + ": truncated or corrupt "
                + name
                + " ("
                + bytes
                + " bytes): "
                + warnings.substring(0, warnings.length() - 2));
      }
      return Frame.wrapRgb(image.getWidth(), image.getHeight(), toRgb(image));
    }

    @Override
    public void close() {
      reader.dispose();
      closeQuietly(in);
    }
  }

  private static void checkHint(int hint, int actual, String field, String name, String format)
      throws InvalidInputException {
    if (hint != 0 && hint != actual) {
      throw new InvalidInputException(
          field + "." + name + " says " + hint + " but the " + format + " image has " + actual);
    }
  }

  private static boolean hasMagic(byte[] d, String format) {
    if (format.equals("png")) {
      return d.length >= 8 && (d[0] & 0xff) == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G';
    }
    return d.length >= 3 && (d[0] & 0xff) == 0xff && (d[1] & 0xff) == 0xd8 && (d[2] & 0xff) == 0xff;
  }

  private static String hexPrefix(byte[] d) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, d.length); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02X", d[i] & 0xff));
    }
    return sb.toString();
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    String top = e.getMessage();
    if (root != e && msg != null && top != null && !top.equals(msg)) {
      return top + " (" + msg + ")";
    }
    return msg != null ? msg : (top != null ? top : e.getClass().getSimpleName());
  }

  /** Packs any decoded image into RGB8 bytes, row-major. */
  static byte[] toRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * 3];
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < out.length; i += 3) {
        out[i] = bgr[i + 2];
        out[i + 1] = bgr[i + 1];
        out[i + 2] = bgr[i];
      }
      return out;
    }
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        out[o++] = (byte) (p >> 16);
        out[o++] = (byte) (p >> 8);
        out[o++] = (byte) p;
      }
    }
    return out;
  }
}
