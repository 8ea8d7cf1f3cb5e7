package mantis.ros.msg;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RosMessageValidationTest {

  private static void rejects(Class<? extends Throwable> type, String mentioned, Executable e) {
    Throwable t = assertThrows(type, e);
    assertTrue(
        t.getMessage().contains(mentioned), "'" + t.getMessage() + "' should mention " + mentioned);
  }

  @Test
  void unsignedFieldsRejectValuesOutsideUint32() {
    rejects(IllegalArgumentException.class, "header.seq", () -> new Header(-1, RosTime.ZERO, ""));
    rejects(IllegalArgumentException.class, "time.secs", () -> new RosTime(1L << 32, 0));
    rejects(IllegalArgumentException.class, "time.nsecs", () -> new RosTime(0, 1_000_000_000L));
    rejects(IllegalArgumentException.class, "duration.nsecs", () -> new RosDuration(0, -1));
    rejects(
        IllegalArgumentException.class,
        "is_bigendian",
        () -> new Image(Samples.HEADER, 1, 1, "mono8", 256, 1, new byte[1]));
  }

  @Test
  void jointStateArraysMustBeEmptyOrOnePerJoint() {
    rejects(
        IllegalArgumentException.class,
        "velocity",
        () ->
            new JointState(
                Samples.HEADER, List.of("a", "b"), List.of(1.0, 2.0), List.of(1.0), List.of()));
  }

  @Test
  void trajectoryPointsMustMatchTheJointNames() {
    JointTrajectoryPoint three =
        new JointTrajectoryPoint(
            List.of(1.0, 2.0, 3.0), List.of(), List.of(), List.of(), RosDuration.ZERO);
    rejects(
        IllegalArgumentException.class,
        "points[0].positions",
        () -> new JointTrajectory(Samples.HEADER, List.of("a", "b"), List.of(three)));
  }

  @Test
  void cameraMatricesMustHaveTheirFixedSizes() {
    List<Double> nine = List.of(1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0);
    List<Double> twelve = List.of(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0);
    rejects(
        IllegalArgumentException.class,
        "K",
        () ->
            new CameraInfo(
                Samples.HEADER,
                1,
                1,
                "",
                List.of(),
                nine.subList(0, 8),
                nine,
                twelve,
                0,
                0,
                RegionOfInterest.FULL));
    rejects(
        IllegalArgumentException.class,
        "P",
        () ->
            new CameraInfo(
                Samples.HEADER,
                1,
                1,
                "",
                List.of(),
                nine,
                nine,
                nine,
                0,
                0,
                RegionOfInterest.FULL));
  }

  @Test
  void nullsAreRejectedWithTheFieldName() {
    List<String> names = new ArrayList<>();
    names.add(null);
    rejects(
        NullPointerException.class,
        "name[0]",
        () -> new JointState(Samples.HEADER, names, List.of(), List.of(), List.of()));
    rejects(NullPointerException.class, "frame_id", () -> new Header(0, RosTime.ZERO, null));
  }
}
