package mantis.ros.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class ImageOwnershipTest {
  private static final Header H = new Header(1, new RosTime(2, 3), "cam");

  @Test
  void theConstructorCopiesSoLaterChangesToTheCallersArrayDoNotShow() {
    byte[] px = {1, 2, 3};
    Image img = new Image(H, 1, 1, "rgb8", 0, 3, px);
    px[0] = 9;
    assertEquals(1, img.data()[0]);
    img.data()[1] = 9;
    assertEquals(2, img.data()[1], "data() hands out a copy");
  }

  @Test
  void wrapTakesOwnershipWithoutCopyingAndTheViewIsReadOnly() {
    byte[] px = {1, 2, 3};
    Image img = Image.wrap(H, 1, 1, "rgb8", 0, 3, px);
    px[0] = 9;
    assertEquals(9, img.dataView().get(0), "wrapped, not copied");
    assertThrows(ReadOnlyBufferException.class, () -> img.dataView().put(0, (byte) 5));
    assertEquals(new Image(H, 1, 1, "rgb8", 0, 3, new byte[] {9, 2, 3}), img);
  }

  @Test
  void wrapValidatesLikeTheConstructor() {
    assertThrows(
        IllegalArgumentException.class, () -> Image.wrap(H, -1, 1, "rgb8", 0, 3, new byte[3]));
    assertThrows(NullPointerException.class, () -> Image.wrap(H, 1, 1, "rgb8", 0, 3, null));
  }
}
