package mantis.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.calibration.CameraModel;
import mantis.calibration.TablePoint;
import mantis.core.Frame;
import org.junit.jupiter.api.Test;

class ColourDetectorTest {
  private final ColourDetector detector = ColourDetector.defaults();
  private final CameraModel camera = CameraModel.mantisDefault(128, 128);

  @Test
  void findsEachColouredObjectAndMapsItsCentroidBackToTheTable() {
    Frame frame =
        new SyntheticFrames(camera, 1)
            .object(-0.2, 0.3, 0.03, 0.03, false, Palette.RED.rgb())
            .object(0.15, 0.45, 0.025, 0.02, true, Palette.BLUE.rgb())
            .object(0.05, 0.22, 0.028, 0.03, false, Palette.YELLOW.rgb())
            .frame();
    List<Blob> blobs = detector.detect(frame);
    assertEquals(3, blobs.size(), blobs.toString());
    Blob red = only(blobs, Palette.RED);
    TablePoint redOnTable = camera.pixelToTable(red.centroid(), 0.03).orElseThrow();
    assertEquals(-0.2, redOnTable.xM(), 0.006);
    assertEquals(0.3, redOnTable.yM(), 0.006);
    Blob blue = only(blobs, Palette.BLUE);
    TablePoint blueOnTable = camera.pixelToTable(blue.centroid(), 0.02).orElseThrow();
    assertEquals(0.15, blueOnTable.xM(), 0.006);
    assertEquals(0.45, blueOnTable.yM(), 0.006);
    assertTrue(red.fillRatio() > 0.88, "a square fills its box: " + red.fillRatio());
    assertTrue(blue.fillRatio() < 0.88, "a disc does not: " + blue.fillRatio());
  }

  @Test
  void tableNoiseAndGreyBarsAreNotDetected() {
    Frame frame =
        new SyntheticFrames(camera, 2)
            .bar(
                new mantis.calibration.Vec3(0, 0.05, 0.07),
                new mantis.calibration.Vec3(0.2, 0.4, 0.07),
                0.02)
            .frame();
    assertTrue(detector.detect(frame).isEmpty());
  }

  @Test
  void aTargetOutlineIsAnOutlineAndAnObjectIsNot() {
    Frame frame =
        new SyntheticFrames(camera, 3)
            .outline(0.1, 0.35, 0.06, 0.008, Palette.GREEN.rgb())
            .object(-0.15, 0.35, 0.03, 0.03, false, Palette.PINK.rgb())
            .frame();
    List<Blob> blobs = detector.detect(frame);
    Blob ring = only(blobs, Palette.GREEN);
    assertTrue(ring.isOutline(), ring.toString());
    TablePoint centre = camera.pixelToTable(ring.boxCentre(), 0).orElseThrow();
    assertEquals(0.1, centre.xM(), 0.006);
    assertEquals(0.35, centre.yM(), 0.006);
    assertFalse(only(blobs, Palette.PINK).isOutline());
  }

  @Test
  void darkerColoursUnderDimLightAreStillClassifiedByHue() {
    int dimOrange = 0x784110; // orange at half brightness
    Frame frame =
        new SyntheticFrames(camera, 4).object(0.0, 0.4, 0.03, 0.03, false, dimOrange).frame();
    List<Blob> blobs = detector.detect(frame);
    assertEquals(1, blobs.size());
    assertEquals(Palette.ORANGE, blobs.get(0).colour());
  }

  @Test
  void worksAtFullResolutionToo() {
    CameraModel big = CameraModel.mantisDefault(640, 480);
    Frame frame =
        new SyntheticFrames(big, 5)
            .object(0.25, 0.5, 0.022, 0.03, false, Palette.CYAN.rgb())
            .frame();
    Blob cyan = only(detector.detect(frame), Palette.CYAN);
    TablePoint p = big.pixelToTable(cyan.centroid(), 0.03).orElseThrow();
    assertEquals(0.25, p.xM(), 0.002);
    assertEquals(0.5, p.yM(), 0.002);
  }

  private static Blob only(List<Blob> blobs, Palette colour) {
    List<Blob> matching = blobs.stream().filter(b -> b.colour() == colour).toList();
    assertEquals(1, matching.size(), colour + " in " + blobs);
    return matching.get(0);
  }
}
