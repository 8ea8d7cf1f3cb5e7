package mantis.marks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import mantis.core.Frame;
import mantis.core.Mark;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.core.Trace;
import org.junit.jupiter.api.Test;

class MarkRendererTest {
  private final MarkRenderer renderer = new MarkRenderer();

  @Test
  void aMarkIsADiscOfItsColourWithWhiteDigitsAndTheInputIsUntouched() {
    Frame f = MarkProposerTest.filled(640, 480, 0xC8C3B9);
    byte[] before = f.rgb();
    Mark m = new Mark(3, new PixelPoint(40, 40), new PixelBox(35, 35, 10, 10), 100, 0xFF0000);
    Frame out = renderer.draw(f, List.of(m), List.of());
    assertArrayEquals(before, f.rgbUnsafe());
    int r = MarkRenderer.discRadiusPx(640);
    int disc = 0;
    int white = 0;
    for (int y = 40 - r; y <= 40 + r; y++) {
      for (int x = 40 - r; x <= 40 + r; x++) {
        int c = out.rgbAt(x, y);
        if (((c >> 16) & 0xff) > 200 && ((c >> 8) & 0xff) > 200 && (c & 0xff) > 200) {
          white++;
        }
        if (c == MarkRenderer.colourOf(3)) {
          disc++;
        }
      }
    }
    assertTrue(white >= 30, "white pixels of the number and rim: " + white);
    assertTrue(disc >= r * r, "pixels in the disc colour: " + disc);
    assertEquals(0xC8C3B9, out.rgbAt(100, 100));
  }

  @Test
  void discsScaleWithTheImageWidth() {
    assertEquals(5, MarkRenderer.discRadiusPx(128));
    assertEquals(22, MarkRenderer.discRadiusPx(640));
  }

  @Test
  void aTraceIsDrawnAlongItsPoints() {
    Frame f = MarkProposerTest.filled(128, 128, 0xC8C3B9);
    Trace t =
        new Trace(
            1, List.of(new PixelPoint(10, 100), new PixelPoint(60, 100), new PixelPoint(110, 100)));
    Frame out = renderer.draw(f, List.of(), List.of(t));
    assertNotEquals(0xC8C3B9, out.rgbAt(35, 100));
    assertNotEquals(0xC8C3B9, out.rgbAt(85, 100));
    assertEquals(0xC8C3B9, out.rgbAt(35, 60));
  }

  @Test
  void nonFiniteOrDegenerateTracesAndMarksAreSkippedNotThrown() {
    Frame f = MarkProposerTest.filled(32, 32, 0x808080);
    Trace nan = new Trace(1, List.of(new PixelPoint(Double.NaN, 1), new PixelPoint(2, 2)));
    Trace single = new Trace(2, List.of(new PixelPoint(5, 5)));
    Trace still = new Trace(3, List.of(new PixelPoint(5, 5), new PixelPoint(5, 5)));
    Mark off = new Mark(1, new PixelPoint(-500, 1e5), new PixelBox(0, 0, 1, 1), 1, 0);
    renderer.draw(f, List.of(off), List.of(nan, single, still));
    renderer.draw(MarkProposerTest.filled(1, 1, 0), List.of(off), List.of(still));
  }

  @Test
  void pngRoundTripsThePixels() throws Exception {
    Frame f = MarkProposerTest.filled(40, 30, 0x123456);
    MarkProposerTest.square(f, 5, 5, 6, 0xDC2828);
    byte[] png = renderer.png(f);
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(40, img.getWidth());
    assertEquals(30, img.getHeight());
    assertEquals(0x123456, img.getRGB(0, 0) & 0xffffff);
    assertEquals(0xDC2828, img.getRGB(7, 7) & 0xffffff);
  }
}
