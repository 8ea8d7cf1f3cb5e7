package mantis.ros.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Byte-for-byte checks against rospy. Every expected hex string was printed by a python3 script
 * that built the same message with Debian's python3-rospy / python3-sensor-msgs /
 * python3-trajectory-msgs / python3-std-msgs and called {@code msg.serialize(io.BytesIO())}.
 */
class RosWireFormatTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void jointStateEncodesExactlyAsRospyDoes() {
    JointState js =
        new JointState(
            new Header(7, new RosTime(1_700_000_000L, 123_456_789L), "base"),
            List.of("shoulder", "elbow"),
            List.of(0.5, -1.25),
            List.of(0.0, 2.0),
            List.of());
    String rospy =
        "0700000000f1536515cd5b070400000062617365020000000800000073686f756c646572"
            + "05000000656c626f7702000000000000000000e03f000000000000f4bf02000000000000"
            + "0000000000000000000000004000000000";
    assertEquals(rospy, HEX.formatHex(RosMessages.JOINT_STATE.encode(js)));
    assertEquals(js, RosMessages.JOINT_STATE.decode(HEX.parseHex(rospy)));
  }

  @Test
  void jointTrajectoryWithNegativeDurationEncodesExactlyAsRospyDoes() {
    JointTrajectory t =
        new JointTrajectory(
            new Header(1, new RosTime(5, 6), ""),
            List.of("a", "b"),
            List.of(
                new JointTrajectoryPoint(
                    List.of(1.0, 2.0),
                    List.of(),
                    List.of(),
                    List.of(),
                    new RosDuration(-1, 500_000_000))));
    String rospy =
        "0100000005000000060000000000000002000000010000006101000000620100000002000000"
            + "000000000000f03f0000000000000040000000000000000000000000ffffffff0065cd1d";
    assertEquals(rospy, HEX.formatHex(RosMessages.JOINT_TRAJECTORY.encode(t)));
    assertEquals(t, RosMessages.JOINT_TRAJECTORY.decode(HEX.parseHex(rospy)));
  }

  @Test
  void cameraInfoWritesFixedArraysWithoutALengthPrefix() {
    CameraInfo c =
        new CameraInfo(
            new Header(0, RosTime.ZERO, "cam"),
            480,
            640,
            "plumb_bob",
            List.of(0.1, -0.2),
            List.of(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0),
            List.of(1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0),
            List.of(0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5),
            2,
            0,
            new RegionOfInterest(3, 0, 0, 100, true));
    String rospy =
        "0000000000000000000000000300000063616de00100008002000009000000706c756d625f"
            + "626f62020000009a9999999999b93f9a9999999999c9bf0000000000000000000000000000f03f0000"
            + "00000000004000000000000008400000000000001040000000000000144000000000000018400000000"
            + "000001c400000000000002040000000000000f03f00000000000000000000000000000000000000000000"
            + "0000000000000000f03f000000000000000000000000000000000000000000000000000000000000f03f"
            + "0000000000000000000000000000e03f000000000000f03f000000000000f83f00000000000000400000"
            + "00000000044000000000000008400000000000000c4000000000000010400000000000001240000000"
            + "0000001440000000000000164002000000000000000300000000000000000000006400000001";
    assertEquals(rospy, HEX.formatHex(RosMessages.CAMERA_INFO.encode(c)));
    assertEquals(c, RosMessages.CAMERA_INFO.decode(HEX.parseHex(rospy)));
  }

  @Test
  void float64MultiArrayEncodesExactlyAsRospyDoes() {
    Float64MultiArray f =
        new Float64MultiArray(
            new MultiArrayLayout(List.of(new MultiArrayDimension("rows", 2, 4)), 0),
            List.of(1.5, -2.5, 3.0, 4.0));
    String rospy =
        "0100000004000000726f777302000000040000000000000004000000000000000000f83f0000"
            + "0000000004c000000000000008400000000000001040";
    assertEquals(rospy, HEX.formatHex(RosMessages.FLOAT64_MULTI_ARRAY.encode(f)));
    assertEquals(f, RosMessages.FLOAT64_MULTI_ARRAY.decode(HEX.parseHex(rospy)));
  }
}
