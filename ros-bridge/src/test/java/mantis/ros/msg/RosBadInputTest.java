package mantis.ros.msg;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RosBadInputTest {

  private static MessageFormatException decodeFails(RosMessageType<?> type, byte[] bytes) {
    return assertThrows(MessageFormatException.class, () -> type.decode(bytes), type.type());
  }

  private static void mentions(MessageFormatException e, String... words) {
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should mention " + w);
    }
  }

  @Test
  void everyTruncationOfEveryTypeIsReportedAsTruncated() {
    for (Map.Entry<RosMessageType<?>, Object> e : Samples.all().entrySet()) {
      byte[] full = Samples.encode(e.getKey(), e.getValue());
      for (int len = 0; len < full.length; len++) {
        MessageFormatException ex = decodeFails(e.getKey(), Arrays.copyOf(full, len));
        mentions(ex, e.getKey().type());
        assertTrue(
            ex.getMessage().contains("truncated") || ex.getMessage().contains("length"),
            ex.getMessage());
      }
    }
  }

  @Test
  void anAbsurdLengthPrefixFailsWithoutAllocatingIt() {
    // header (seq, stamp) then frame_id length 0xFFFFFFFF
    byte[] bytes = new byte[16];
    Arrays.fill(bytes, 12, 16, (byte) 0xFF);
    for (RosMessageType<?> type :
        new RosMessageType<?>[] {
          RosMessages.JOINT_STATE,
          RosMessages.IMAGE,
          RosMessages.CAMERA_INFO,
          RosMessages.JOINT_TRAJECTORY,
          RosMessages.COMPRESSED_IMAGE
        }) {
      mentions(decodeFails(type, bytes), "header.frame_id", "4294967295");
    }
    mentions(decodeFails(RosMessages.STRING, new byte[] {-1, -1, -1, -1, 'a'}), "4294967295");
  }

  @Test
  void anArrayLengthLargerThanTheInputCouldHoldIsRejected() {
    // Float64MultiArray: layout.dim length 0, data_offset 0, data length 2 but only 8 bytes follow.
    byte[] bytes = {0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    mentions(decodeFails(RosMessages.FLOAT64_MULTI_ARRAY, bytes), "data", "2 elements");
    // JointTrajectory with 1000 points in 30 bytes.
    byte[] traj = new byte[12 + 4 + 4 + 4 + 30];
    traj[20] = (byte) 0xE8;
    traj[21] = 0x03;
    mentions(decodeFails(RosMessages.JOINT_TRAJECTORY, traj), "points", "1000");
  }

  @Test
  void trailingBytesAreRejected() {
    for (Map.Entry<RosMessageType<?>, Object> e : Samples.all().entrySet()) {
      byte[] full = Samples.encode(e.getKey(), e.getValue());
      mentions(decodeFails(e.getKey(), Arrays.copyOf(full, full.length + 3)), "3 trailing bytes");
    }
  }

  @Test
  void wireValuesTheRecordsRejectBecomeMessageFormatExceptions() {
    byte[] header = RosMessages.HEADER.encode(Samples.HEADER);
    header[8] = (byte) 0xFF; // nsecs = 0xFF..., above 999999999
    header[9] = (byte) 0xFF;
    header[10] = (byte) 0xFF;
    header[11] = (byte) 0x7F;
    mentions(decodeFails(RosMessages.HEADER, header), "std_msgs/Header", "nsecs");
  }

  @Test
  void wellFramedValuesTheRecordRejectsAreInvalidMessagesButBrokenLayoutsAreNot() {
    // What rospy sends for JointState(name=[a, b, c], position=[1, 2]): it does not check lengths.
    RosWriter w = new RosWriter();
    w.header(Samples.HEADER);
    w.stringArray(List.of("a", "b", "c"));
    w.float64Array(List.of(1.0, 2.0));
    w.float64Array(List.of());
    w.float64Array(List.of());
    byte[] unequal = w.toByteArray();
    MessageFormatException invalid = decodeFails(RosMessages.JOINT_STATE, unequal);
    assertTrue(invalid instanceof InvalidMessageException, invalid.toString());
    mentions(invalid, "invalid sensor_msgs/JointState", "position", "(3), got 2");

    byte[] header = RosMessages.HEADER.encode(Samples.HEADER);
    header[11] = (byte) 0x7F; // nsecs above 999999999
    assertTrue(decodeFails(RosMessages.HEADER, header) instanceof InvalidMessageException);

    MessageFormatException truncated =
        decodeFails(RosMessages.JOINT_STATE, Arrays.copyOf(unequal, unequal.length - 1));
    assertFalse(truncated instanceof InvalidMessageException, truncated.toString());
    byte[] good =
        Samples.encode(RosMessages.JOINT_STATE, Samples.all().get(RosMessages.JOINT_STATE));
    MessageFormatException trailing =
        decodeFails(RosMessages.JOINT_STATE, Arrays.copyOf(good, good.length + 1));
    assertFalse(trailing instanceof InvalidMessageException, trailing.toString());
  }

  @Test
  void randomGarbageNeverEscapesAsAnotherException() {
    Random rnd = new Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] b = new byte[rnd.nextInt(64)];
      rnd.nextBytes(b);
      for (RosMessageType<?> type : RosMessages.ALL) {
        try {
          type.decode(b);
        } catch (MessageFormatException expected) {
          // fine
        }
      }
    }
  }
}
