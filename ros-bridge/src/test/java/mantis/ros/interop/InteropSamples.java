package mantis.ros.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import mantis.ros.msg.CameraInfo;
import mantis.ros.msg.Clock;
import mantis.ros.msg.CompressedImage;
import mantis.ros.msg.Float64MultiArray;
import mantis.ros.msg.Header;
import mantis.ros.msg.Image;
import mantis.ros.msg.JointState;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;
import mantis.ros.msg.Log;
import mantis.ros.msg.MultiArrayDimension;
import mantis.ros.msg.MultiArrayLayout;
import mantis.ros.msg.RegionOfInterest;
import mantis.ros.msg.RosBool;
import mantis.ros.msg.RosDuration;
import mantis.ros.msg.RosEmpty;
import mantis.ros.msg.RosMessageType;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.msg.RosTime;

/** One message of every supported type, with values at the edges of their fields. */
final class InteropSamples {
  private InteropSamples() {}

  /** One sample: its type, the message, and a topic-safe name. */
  record Sample(RosMessageType<?> type, Object message) {
    String name() {
      return type.type().replace('/', '_');
    }

    /** rospy overwrites header.seq with its own counter when it publishes a stamped message. */
    Set<String> ignoredFromRospy() {
      return Canonical.of(message).has("header") ? Set.of("header.seq") : Set.of();
    }

    @Override
    public String toString() {
      return type.type();
    }
  }

  static final Header HEADER =
      new Header(4_294_967_295L, new RosTime(4_294_967_295L, 999_999_999L), "camera_optical");
  static final RegionOfInterest ROI = new RegionOfInterest(4_294_967_295L, 2, 240, 320, true);
  static final MultiArrayDimension DIM = new MultiArrayDimension("joints ⟂", 6, 4_294_967_295L);
  static final MultiArrayLayout LAYOUT =
      new MultiArrayLayout(
          List.of(new MultiArrayDimension("rows", 2, 6), new MultiArrayDimension("", 3, 3)), 7);
  static final JointTrajectoryPoint POINT =
      new JointTrajectoryPoint(
          List.of(0.1, -0.2, Math.PI),
          List.of(1.0, -0.0, 2.5e-9),
          List.of(),
          List.of(0.5, 0.25, 1e300),
          new RosDuration(-3, 250_000_000));

  static List<Sample> all() {
    List<Sample> s = new ArrayList<>();
    s.add(new Sample(RosMessages.HEADER, new Header(17, new RosTime(1_700_000_000L, 1), "")));
    s.add(
        new Sample(
            RosMessages.STRING,
            new RosString("push the red block ➜ left, \"quoted\"\n second line \u00e9")));
    s.add(new Sample(RosMessages.BOOL, new RosBool(true)));
    s.add(new Sample(RosMessages.EMPTY, RosEmpty.INSTANCE));
    s.add(new Sample(RosMessages.MULTI_ARRAY_DIMENSION, DIM));
    s.add(new Sample(RosMessages.MULTI_ARRAY_LAYOUT, LAYOUT));
    s.add(
        new Sample(
            RosMessages.FLOAT64_MULTI_ARRAY,
            new Float64MultiArray(
                LAYOUT,
                List.of(
                    1.0,
                    -2.0,
                    Double.NaN,
                    Double.POSITIVE_INFINITY,
                    Double.MIN_VALUE,
                    Double.MAX_VALUE,
                    -0.0))));
    byte[] pixels = new byte[4 * 3 * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 37 + 200);
    }
    s.add(new Sample(RosMessages.IMAGE, new Image(HEADER, 3, 4, "rgb8", 0, 12, pixels)));
    byte[] jpeg = new byte[256];
    for (int i = 0; i < jpeg.length; i++) {
      jpeg[i] = (byte) i;
    }
    s.add(new Sample(RosMessages.COMPRESSED_IMAGE, new CompressedImage(HEADER, "jpeg", jpeg)));
    s.add(new Sample(RosMessages.REGION_OF_INTEREST, ROI));
    s.add(
        new Sample(
            RosMessages.CAMERA_INFO,
            new CameraInfo(
                HEADER,
                480,
                640,
                "plumb_bob",
                List.of(0.1, -0.2, 0.001, -0.002, 0.01),
                List.of(525.0, 0.0, 319.5, 0.0, 525.0, 239.5, 0.0, 0.0, 1.0),
                List.of(1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0),
                List.of(525.0, 0.0, 319.5, -37.5, 0.0, 525.0, 239.5, 0.0, 0.0, 0.0, 1.0, 0.0),
                2,
                4_294_967_295L,
                ROI)));
    s.add(
        new Sample(
            RosMessages.JOINT_STATE,
            new JointState(
                new Header(3, new RosTime(1_700_000_123L, 456_789_000L), "base_link"),
                List.of(
                    "shoulder_pan_joint",
                    "shoulder_lift_joint",
                    "elbow_joint",
                    "wrist_1_joint",
                    "wrist_2_joint",
                    "wrist_3_joint"),
                List.of(0.5, -1.25, 2.0, -0.0, 1e-12, -3.14159),
                List.of(),
                List.of(3.0, 4.0, 5.0, 6.0, 7.0, -8.5))));
    s.add(new Sample(RosMessages.JOINT_TRAJECTORY_POINT, POINT));
    s.add(
        new Sample(
            RosMessages.JOINT_TRAJECTORY,
            new JointTrajectory(
                new Header(9, RosTime.ZERO, "base_link"),
                List.of("joint_a", "joint_b", "joint_c"),
                List.of(
                    POINT,
                    new JointTrajectoryPoint(
                        List.of(0.2, -0.3, 0.4),
                        List.of(),
                        List.of(),
                        List.of(),
                        new RosDuration(2, 999_999_999))))));
    s.add(new Sample(RosMessages.CLOCK, new Clock(new RosTime(4_294_967_295L, 999_999_999L))));
    s.add(
        new Sample(
            RosMessages.LOG,
            new Log(
                new Header(1, new RosTime(1_700_000_000L, 5), ""),
                -128,
                "/mantis_bridge",
                "hold: e-stop ⚠ \"latched\"\nsecond line",
                "BridgeCore.java",
                "mantis.ros.bridge.BridgeCore.hold",
                4_294_967_295L,
                List.of("/rosout", "/a/command"))));
    return s;
  }
}
