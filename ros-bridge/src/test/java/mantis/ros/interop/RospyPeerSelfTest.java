package mantis.ros.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import mantis.ros.msg.RosMessages;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The test harness itself, without any Mantis node: every sample goes Java canonical form → rospy
 * message → rospy publisher → rospy subscriber (same process) → canonical form, and comes back
 * unchanged. If this fails, the interop tests' verdicts mean nothing.
 */
@Tag("ros")
class RospyPeerSelfTest {
  @Test
  void everySampleSurvivesTheRoundTripThroughRospyAndTheCanonicalForm() throws Exception {
    RosInstallation ros = RequireRos.installation();
    List<InteropSamples.Sample> samples = InteropSamples.all();
    assertEquals(RosMessages.ALL.size(), samples.size(), "one sample per supported type");
    try (RosCoreProcess core = RosCoreProcess.onFreePort(ros);
        InteropPeer peer = new InteropPeer()) {
      core.start();
      for (InteropSamples.Sample s : samples) {
        String topic = "/interop/self/" + s.name();
        peer.publish(topic, s.type().type(), s.message()).subscribe(topic, s.type().type());
      }
      peer.start(ros, core.environment());
      StringBuilder failures = new StringBuilder();
      for (InteropSamples.Sample s : samples) {
        JsonNode got = peer.awaitReceived("/interop/self/" + s.name(), Duration.ofSeconds(20));
        List<String> diff =
            Canonical.differences(Canonical.of(s.message()), got, s.ignoredFromRospy());
        if (!diff.isEmpty()) {
          failures
              .append(s)
              .append(": ")
              .append(diff.stream().collect(Collectors.joining("; ")))
              .append('\n');
        }
      }
      assertEquals("", failures.toString());
    }
  }
}
