package mantis.ros.msg;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One non-trivial message of every supported type. */
final class Samples {
  private Samples() {}

  static final Header HEADER =
      new Header(42, new RosTime(1_700_000_000L, 123_456_789L), "base_link");

  static final RegionOfInterest ROI = new RegionOfInterest(3, 4, 100, 200, true);

  static final JointTrajectoryPoint POINT =
      new JointTrajectoryPoint(
          List.of(0.1, -0.2),
          List.of(1.0, 2.0),
          List.of(),
          List.of(0.5, 0.25),
          new RosDuration(-1, 500_000_000));

  static Map<RosMessageType<?>, Object> all() {
    Map<RosMessageType<?>, Object> m = new LinkedHashMap<>();
    m.put(RosMessages.HEADER, HEADER);
    m.put(RosMessages.STRING, new RosString("push the red block ➜ left"));
    m.put(RosMessages.BOOL, new RosBool(true));
    m.put(RosMessages.EMPTY, RosEmpty.INSTANCE);
    m.put(RosMessages.MULTI_ARRAY_DIMENSION, new MultiArrayDimension("rows", 2, 6));
    MultiArrayLayout layout =
        new MultiArrayLayout(
            List.of(new MultiArrayDimension("rows", 2, 6), new MultiArrayDimension("cols", 3, 3)),
            0);
    m.put(RosMessages.MULTI_ARRAY_LAYOUT, layout);
    m.put(
        RosMessages.FLOAT64_MULTI_ARRAY,
        new Float64MultiArray(layout, List.of(1.0, 2.0, 3.0, -4.0, Double.NaN, 1e-300)));
    m.put(
        RosMessages.IMAGE,
        new Image(
            HEADER,
            2,
            3,
            "rgb8",
            0,
            9,
            new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, (byte) 255, -1, 9, 10, 11, 12, 13, 14, 15}));
    m.put(
        RosMessages.COMPRESSED_IMAGE,
        new CompressedImage(HEADER, "jpeg", new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2}));
    m.put(RosMessages.REGION_OF_INTEREST, ROI);
    m.put(
        RosMessages.CAMERA_INFO,
        new CameraInfo(
            HEADER,
            480,
            640,
            "plumb_bob",
            List.of(0.1, -0.2, 0.0, 0.0, 0.01),
            List.of(500.0, 0.0, 320.0, 0.0, 500.0, 240.0, 0.0, 0.0, 1.0),
            List.of(1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0),
            List.of(500.0, 0.0, 320.0, 0.0, 0.0, 500.0, 240.0, 0.0, 0.0, 0.0, 1.0, 0.0),
            1,
            2,
            ROI));
    m.put(
        RosMessages.JOINT_STATE,
        new JointState(
            HEADER,
            List.of("shoulder", "elbow"),
            List.of(0.5, -1.25),
            List.of(),
            List.of(3.0, 4.0)));
    m.put(RosMessages.JOINT_TRAJECTORY_POINT, POINT);
    m.put(
        RosMessages.JOINT_TRAJECTORY,
        new JointTrajectory(
            HEADER,
            List.of("a", "b"),
            List.of(
                POINT,
                new JointTrajectoryPoint(
                    List.of(0.2, -0.3), List.of(), List.of(), List.of(), new RosDuration(2, 0)))));
    m.put(RosMessages.CLOCK, new Clock(new RosTime(1_234, 500_000_000L)));
    m.put(
        RosMessages.LOG,
        new Log(
            HEADER,
            Log.WARN,
            "/mantis_bridge",
            "joint state rejected",
            "BridgeCore.java",
            "mantis.ros.bridge.BridgeCore.onJointState",
            212,
            List.of("/rosout", "/arm_controller/command")));
    return m;
  }

  @SuppressWarnings("unchecked")
  static <T> byte[] encode(RosMessageType<T> type, Object message) {
    return type.encode((T) message);
  }
}
