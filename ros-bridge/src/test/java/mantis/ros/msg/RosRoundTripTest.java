package mantis.ros.msg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RosRoundTripTest {

  @Test
  void everyTypeDecodesToTheMessageItEncoded() {
    Map<RosMessageType<?>, Object> samples = Samples.all();
    assertEquals(RosMessages.ALL.size(), samples.size(), "a sample for every type");
    for (Map.Entry<RosMessageType<?>, Object> e : samples.entrySet()) {
      byte[] bytes = Samples.encode(e.getKey(), e.getValue());
      Object decoded = e.getKey().decode(bytes);
      assertEquals(e.getValue(), decoded, e.getKey().type());
      assertArrayEquals(bytes, Samples.encode(e.getKey(), decoded), e.getKey().type());
    }
  }

  @Test
  void emptyMessagesRoundTripToo() {
    Header empty = new Header(0, RosTime.ZERO, "");
    JointState js = new JointState(empty, List.of(), List.of(), List.of(), List.of());
    assertEquals(js, RosMessages.JOINT_STATE.decode(RosMessages.JOINT_STATE.encode(js)));
    JointTrajectory t = new JointTrajectory(empty, List.of(), List.of());
    assertEquals(t, RosMessages.JOINT_TRAJECTORY.decode(RosMessages.JOINT_TRAJECTORY.encode(t)));
    Image img = new Image(empty, 0, 0, "", 0, 0, new byte[0]);
    assertEquals(img, RosMessages.IMAGE.decode(RosMessages.IMAGE.encode(img)));
  }

  @Test
  void extremeUnsignedValuesSurviveTheRoundTrip() {
    Header h = new Header(0xFFFFFFFFL, new RosTime(0xFFFFFFFFL, 999_999_999L), "f");
    assertEquals(h, RosMessages.HEADER.decode(RosMessages.HEADER.encode(h)));
    RosDuration d = new RosDuration(Integer.MIN_VALUE, 999_999_999);
    JointTrajectoryPoint p =
        new JointTrajectoryPoint(List.of(), List.of(), List.of(), List.of(), d);
    assertEquals(
        p, RosMessages.JOINT_TRAJECTORY_POINT.decode(RosMessages.JOINT_TRAJECTORY_POINT.encode(p)));
  }

  @Test
  void imageDataIsCopiedInAndOut() {
    byte[] data = {1, 2, 3};
    Image img = new Image(Samples.HEADER, 1, 3, "mono8", 0, 3, data);
    data[0] = 99;
    assertEquals(1, img.data()[0], "changing the caller's array must not change the image");
    img.data()[1] = 99;
    assertEquals(2, img.data()[1], "changing the returned array must not change the image");
    assertNotSame(img.data(), img.data());
  }

  @Test
  void timesAndDurationsConvertToAndFromNanoseconds() {
    assertEquals(new RosTime(1, 5), RosTime.ofNanos(1_000_000_005L));
    assertEquals(1_000_000_005L, new RosTime(1, 5).toNanos());
    assertEquals(new RosDuration(-1, 500_000_000), RosDuration.ofNanos(-500_000_000L));
    assertEquals(-500_000_000L, new RosDuration(-1, 500_000_000).toNanos());
  }
}
