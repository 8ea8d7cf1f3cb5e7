package mantis.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TeleopTasksTest {
  @Test
  void aTaskTheArmOffersIsAcceptedAndAnyOtherIsRefusedNamingTheOffer() {
    assertEquals("REACH", Teleop.requireTask("REACH", List.of("REACH", "PUSH_DIRECTION")));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Teleop.requireTask("JUGGLE", List.of("REACH", "PUSH_DIRECTION")));
    assertTrue(
        e.getMessage().contains("'JUGGLE'") && e.getMessage().contains("[REACH, PUSH_DIRECTION]"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Teleop.requireTask(null, List.of("REACH")));
  }

  @Test
  void aBridgedSessionOffersOnlyItsOwnLabelUnlessGivenTasksAndRefusesAnEmptyList() {
    assertEquals(List.of(BridgedTeleop.FAMILY), builder().build().tasks());
    assertEquals(
        List.of("REACH", "STACK"), builder().optTasks(List.of("REACH", "STACK")).build().tasks());
    assertThrows(IllegalArgumentException.class, () -> BridgedTeleop.builder().optTasks(List.of()));
    assertThrows(
        IllegalArgumentException.class, () -> BridgedTeleop.builder().optTasks(List.of(" ")));
  }

  private static BridgedTeleop.Builder builder() {
    return BridgedTeleop.builder()
        .setPolicyChannel(io.grpc.inprocess.InProcessChannelBuilder.forName("none").build())
        .setArmTarget("127.0.0.1:1")
        .setRosMaster(java.net.URI.create("http://127.0.0.1:11311"))
        .setImageTopic("/camera/image_raw");
  }
}
