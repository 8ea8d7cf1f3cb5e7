package mantis.ros.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RosMessageDefinitionTest {

  /**
   * Expected md5sums, printed by {@code rosmsg md5 <type>} from Debian's ros-core 1.16 with
   * ros-std-msgs 0.5.13, ros-sensor-msgs 1.13.1, ros-trajectory-msgs 1.13.1 and
   * python3-rosgraph-msgs 1.11.3.
   */
  private static final Map<String, String> ROSMSG_MD5 =
      Map.ofEntries(
          Map.entry("std_msgs/Header", "2176decaecbce78abc3b96ef049fabed"),
          Map.entry("std_msgs/String", "992ce8a1687cec8c8bd883ec73ca41d1"),
          Map.entry("std_msgs/Bool", "8b94c1b53db61fb6aed406028ad6332a"),
          Map.entry("std_msgs/Empty", "d41d8cd98f00b204e9800998ecf8427e"),
          Map.entry("std_msgs/MultiArrayDimension", "4cd0c83a8683deae40ecdac60e53bfa8"),
          Map.entry("std_msgs/MultiArrayLayout", "0fed2a11c13e11c5571b4e2a995a91a3"),
          Map.entry("std_msgs/Float64MultiArray", "4b7d974086d4060e7db4613a7e6c3ba4"),
          Map.entry("sensor_msgs/Image", "060021388200f6f0f447d0fcd9c64743"),
          Map.entry("sensor_msgs/CompressedImage", "8f7a12909da2c9d3332d540a0977563f"),
          Map.entry("sensor_msgs/RegionOfInterest", "bdb633039d588fcccb441a4d43ccfe09"),
          Map.entry("sensor_msgs/CameraInfo", "c9a58c1b0b154e0e6da7578cb991d214"),
          Map.entry("sensor_msgs/JointState", "3066dcd76a6cfaef579bd0f34173e9fd"),
          Map.entry("trajectory_msgs/JointTrajectoryPoint", "f3cd1e1c4d320c79d6985c904ae5dcd3"),
          Map.entry("trajectory_msgs/JointTrajectory", "65b4f94a94d1ed67169da35a02f33d3f"),
          // rosmsg md5 from Debian's python3-rosgraph-msgs 1.11.3.
          Map.entry("rosgraph_msgs/Clock", "a9c97c1d230cfc112e270351a944ee47"),
          Map.entry("rosgraph_msgs/Log", "acffd30cd6b6de30f120938c17c593fb"));

  @Test
  void everyComputedMd5sumMatchesWhatRosmsgPrints() {
    assertEquals(ROSMSG_MD5.size(), RosMessages.ALL.size());
    for (RosMessageType<?> type : RosMessages.ALL) {
      assertEquals(ROSMSG_MD5.get(type.type()), type.md5sum(), type.type());
    }
  }

  @Test
  void definitionsListDependenciesInTheOrderRospyDoes() {
    // Orders taken from the "MSG:" lines of genpy's _full_text in the Debian python3-*-msgs.
    assertEquals(
        List.of("std_msgs/Header", "trajectory_msgs/JointTrajectoryPoint"),
        msgLines(RosMessages.JOINT_TRAJECTORY.definition()));
    assertEquals(
        List.of("std_msgs/MultiArrayLayout", "std_msgs/MultiArrayDimension"),
        msgLines(RosMessages.FLOAT64_MULTI_ARRAY.definition()));
    assertEquals(
        List.of("std_msgs/Header", "sensor_msgs/RegionOfInterest"),
        msgLines(RosMessages.CAMERA_INFO.definition()));
    assertEquals(List.of(), msgLines(RosMessages.STRING.definition()));
    assertEquals(List.of("std_msgs/Header"), msgLines(RosMessages.LOG.definition()));
  }

  @Test
  void definitionPutsAnEightyCharacterSeparatorBeforeEachDependency() {
    String expected =
        """
        Header header
        string[] name
        float64[] position
        float64[] velocity
        float64[] effort

        ================================================================================
        MSG: std_msgs/Header
        uint32 seq
        time stamp
        string frame_id
        """;
    assertEquals(expected, RosMessages.JOINT_STATE.definition());
  }

  @Test
  void commentsBlankLinesAndSpacingDoNotChangeTheMd5sum() {
    MsgDefinitions commented =
        new MsgDefinitions(
            Map.of(
                "std_msgs/Header",
                """
            # Standard metadata
            uint32   seq   # sequence ID
            time stamp

            #Frame this data is associated with
              string frame_id\s\s
            """));
    assertEquals(ROSMSG_MD5.get("std_msgs/Header"), commented.md5sum("std_msgs/Header"));
  }

  @Test
  void constantsComeFirstInTheMd5TextAndStringConstantsKeepHashes() {
    MsgDefinitions defs =
        new MsgDefinitions(
            Map.of(
                "demo_msgs/Status",
                    """
            uint8 level
            uint8 OK=0   # fine
            string GREETING= hi # there
            Header header
            """,
                "std_msgs/Header", "uint32 seq\ntime stamp\nstring frame_id\n"));
    assertEquals(
        "uint8 OK=0\nstring GREETING=hi # there\nuint8 level\n"
            + ROSMSG_MD5.get("std_msgs/Header")
            + " header",
        defs.md5Text("demo_msgs/Status"));
  }

  @Test
  void anUnknownTypeIsNamedInTheError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RosMessages.byName("nav_msgs/Odometry"));
    assertTrue(e.getMessage().contains("nav_msgs/Odometry"), e.getMessage());
    assertEquals(RosMessages.IMAGE, RosMessages.byName("sensor_msgs/Image"));
  }

  private static List<String> msgLines(String definition) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("^MSG: (\\S+)$", Pattern.MULTILINE).matcher(definition);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
