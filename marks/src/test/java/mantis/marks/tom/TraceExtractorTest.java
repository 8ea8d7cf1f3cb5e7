package mantis.marks.tom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mantis.core.Frame;
import mantis.core.PixelPoint;
import org.junit.jupiter.api.Test;

class TraceExtractorTest {
  private static final int SIZE = 128;
  private static final int H = 8;

  /** Camera shake of the synthetic clip: the whole image moves by this much per frame. */
  private static final double SHIFT_X = 0.6;

  private static final double SHIFT_Y = -0.4;

  /** The square moves by this much per frame in the scene (first-frame coordinates). */
  private static final double SQUARE_DX = 0.0;

  private static final double SQUARE_DY = 1.5;
  private static final double SQUARE_X0 = 40;
  private static final double SQUARE_Y0 = 50;
  private static final double SQUARE_HALF = 10;

  /** A smooth, trackable texture. */
  private static double background(double x, double y) {
    return 128
        + 40 * Math.sin(x * 0.45 + 1.3 * Math.sin(y * 0.21))
        + 35 * Math.cos(y * 0.38 + 0.9 * Math.sin(x * 0.17));
  }

  private static double square(double u, double v) {
    return 30 + 90 * (0.5 + 0.5 * Math.sin(u * 0.9) * Math.cos(v * 0.8));
  }

  /**
   * Frame t: the scene (textured table + a textured square moving down) seen through a shifting
   * camera.
   */
  private static Frame frame(int t) {
    byte[] rgb = new byte[SIZE * SIZE * 3];
    double sx = SQUARE_X0 + SQUARE_DX * t;
    double sy = SQUARE_Y0 + SQUARE_DY * t;
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        // Image pixel (x, y) shows scene point (x - shift * t, y - shift * t).
        double X = x - SHIFT_X * t;
        double Y = y - SHIFT_Y * t;
        double g;
        if (Math.abs(X - sx) <= SQUARE_HALF && Math.abs(Y - sy) <= SQUARE_HALF) {
          g = square(X - sx, Y - sy);
        } else {
          g = background(X, Y);
        }
        int v = (int) Math.max(0, Math.min(255, Math.round(g)));
        int i = 3 * (y * SIZE + x);
        rgb[i] = (byte) v;
        rgb[i + 1] = (byte) v;
        rgb[i + 2] = (byte) v;
      }
    }
    return Frame.wrapRgb(SIZE, SIZE, rgb);
  }

  private static List<Frame> clip() {
    List<Frame> frames = new ArrayList<>();
    for (int t = 0; t <= H; t++) {
      frames.add(frame(t));
    }
    return frames;
  }

  private static TraceExtractor extractor() {
    return TraceExtractor.builder().optHorizon(H).build();
  }

  @Test
  void findsTheMovingSquareAndRemovesTheCameraShift() {
    TomLabels labels = extractor().extract(clip(), 7);
    assertFalse(labels.moving().isEmpty(), "the square moves");
    assertFalse(labels.statics().isEmpty(), "the table does not");
    assertEquals("homography", labels.cameraMotionModel());
    int insideMarks = 0;
    for (TomTrack m : labels.moving()) {
      PixelPoint p0 = m.pointsPx().get(0);
      // On the square, or ahead of its leading edge (a background point the square then covers).
      assertTrue(
          Math.abs(p0.xPx() - SQUARE_X0) <= SQUARE_HALF + 1
              && p0.yPx() >= SQUARE_Y0 - SQUARE_HALF - 1
              && p0.yPx() <= SQUARE_Y0 + SQUARE_HALF + SQUARE_DY * H + 1,
          "moving mark starts on the square: " + p0);
      PixelPoint end = m.pointsPx().get(H);
      // Camera shift removed: the square's own motion, in first-frame coordinates.
      boolean inside =
          Math.abs(p0.xPx() - SQUARE_X0) < SQUARE_HALF - 1
              && Math.abs(p0.yPx() - SQUARE_Y0) < SQUARE_HALF - 1;
      if (inside) {
        insideMarks++;
        assertEquals(p0.xPx() + SQUARE_DX * H, end.xPx(), 0.5);
        assertEquals(p0.yPx() + SQUARE_DY * H, end.yPx(), 0.5);
      } else {
        // A point at the square's border, which the square occludes or uncovers: it goes with the
        // square, roughly.
        assertTrue(
            end.yPx() - p0.yPx() > 0.5 * SQUARE_DY * H,
            "border mark follows the square: " + m.pointsPx());
      }
      assertTrue(m.moving());
    }
    assertTrue(insideMarks >= 1, "a mark inside the square");
    for (TomTrack s : labels.statics()) {
      PixelPoint p0 = s.pointsPx().get(0);
      for (PixelPoint p : s.pointsPx()) {
        assertEquals(p0.xPx(), p.xPx(), 0.3, "static marks stay put once the shift is removed");
        assertEquals(p0.yPx(), p.yPx(), 0.3);
      }
      assertFalse(s.moving());
    }
    assertTrue(labels.moving().size() <= 5 && labels.statics().size() <= 10);
  }

  @Test
  void marksAreNumberedOneToNInASeededOrderAndQuantisedToTheGrid() {
    TomLabels a = extractor().extract(clip(), 3);
    TomLabels b = extractor().extract(clip(), 3);
    List<TomTrack> all = a.all();
    int[] ids = all.stream().mapToInt(TomTrack::markId).toArray();
    int[] expected = new int[ids.length];
    Arrays.setAll(expected, i -> i + 1);
    assertTrue(Arrays.equals(expected, ids), Arrays.toString(ids));
    for (int i = 0; i < all.size(); i++) {
      TomTrack x = all.get(i);
      TomTrack y = b.all().get(i);
      assertEquals(x.markId(), y.markId());
      assertEquals(x.pointsPx(), y.pointsPx());
      for (int t = 0; t <= H; t++) {
        PixelPoint p = x.pointsPx().get(t);
        int[] q = x.quantized()[t];
        assertEquals(TomLabels.quantize(p.xPx(), SIZE), q[0]);
        assertEquals(TomLabels.quantize(p.yPx(), SIZE), q[1]);
        assertTrue(Math.abs(TomLabels.dequantize(q[0], SIZE) - p.xPx()) <= 0.25 + 1e-9);
      }
    }
    // Another seed numbers the same marks differently (with overwhelming probability for N >= 5).
    boolean differs = false;
    for (long seed = 4; seed < 10 && !differs; seed++) {
      List<TomTrack> other = extractor().extract(clip(), seed).all();
      differs =
          other.size() != all.size() || !other.get(0).pointsPx().equals(all.get(0).pointsPx());
    }
    assertTrue(differs);
  }

  @Test
  void quantisationFollowsMagmasGrid() {
    assertEquals(0, TomLabels.quantize(-0.5, 128));
    assertEquals(0, TomLabels.quantize(-3, 128));
    assertEquals(255, TomLabels.quantize(127.49, 128));
    assertEquals(255, TomLabels.quantize(500, 128));
    assertEquals(128, TomLabels.quantize(63.5, 128));
    assertEquals(2, TomLabels.quantize(0.9, 128));
    assertEquals(3, TomLabels.quantize(1.0, 128));
    assertEquals(1.0 - 0.25, TomLabels.dequantize(2, 128), 1e-12);
  }

  @Test
  void blankAndTexturelessClipsGiveNoTracksNotAnException() {
    List<Frame> blank = new ArrayList<>();
    byte[] grey = new byte[SIZE * SIZE * 3];
    Arrays.fill(grey, (byte) 90);
    for (int t = 0; t <= H; t++) {
      blank.add(Frame.ofRgb(SIZE, SIZE, grey));
    }
    TomLabels labels = extractor().extract(blank);
    assertTrue(labels.isEmpty());
    assertEquals(0, labels.trackedPoints());
    assertEquals("none", labels.cameraMotionModel());
  }

  @Test
  void badClipsAreRejectedWithAClearMessage() {
    TraceExtractor ex = extractor();
    List<Frame> shortClip = clip().subList(0, H);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ex.extract(shortClip));
    assertTrue(e.getMessage().contains("H + 1"), e.getMessage());
    List<Frame> mixed = new ArrayList<>(clip());
    mixed.set(3, Frame.ofRgb(64, 64, new byte[64 * 64 * 3]));
    e = assertThrows(IllegalArgumentException.class, () -> ex.extract(mixed));
    assertTrue(e.getMessage().contains("one size"), e.getMessage());
    List<Frame> tiny = new ArrayList<>();
    for (int t = 0; t <= H; t++) {
      tiny.add(Frame.ofRgb(2, 2, new byte[12]));
    }
    assertThrows(IllegalArgumentException.class, () -> ex.extract(tiny));
    assertThrows(
        IllegalArgumentException.class, () -> TraceExtractor.builder().optHorizon(0).build());
    assertThrows(
        IllegalArgumentException.class, () -> TraceExtractor.builder().optWindowPx(8).build());
  }

  @Test
  void badMovingMarkSettingsAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> TraceExtractor.builder().optClusterOutlierPx(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> TraceExtractor.builder().optDestinationChange(-1).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> TraceExtractor.builder().optDragMargin(Double.NaN).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> TraceExtractor.builder().optMovingForwardBackwardMaxPx(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> TraceExtractor.builder().optMovingMinCoherentNeighbours(9).build());
    assertThrows(
        IllegalArgumentException.class, () -> TraceExtractor.builder().optCoherencePx(-1).build());
    // NaN turns the outlier test off; that is allowed.
    TraceExtractor.builder().optClusterOutlierPx(Double.NaN).optSpatialMedoid(false).build();
  }

  @Test
  void aDestinationCheckAboveAnyContrastLeavesNoMovingMark() {
    // The square's texture differs from the table's by far less than 255 grey levels: every moving
    // track fails the destination check, and the static marks are unaffected.
    TomLabels strict =
        TraceExtractor.builder().optHorizon(H).optDestinationChange(255).build().extract(clip(), 7);
    TomLabels normal = extractor().extract(clip(), 7);
    assertTrue(strict.moving().isEmpty());
    assertFalse(normal.moving().isEmpty());
    assertEquals(normal.statics().size(), strict.statics().size());
  }
}
