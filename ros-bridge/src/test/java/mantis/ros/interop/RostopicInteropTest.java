package mantis.ros.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mantis.ros.msg.Header;
import mantis.ros.msg.JointState;
import mantis.ros.msg.RosBool;
import mantis.ros.msg.RosMessageType;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.msg.RosTime;
import mantis.ros.node.PublisherOptions;
import mantis.ros.node.RosNode;
import mantis.ros.node.RosPublisher;
import mantis.ros.node.RosSubscriber;
import mantis.ros.node.SubscriberOptions;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The command-line tools against a Mantis node: {@code rostopic pub} into Mantis subscribers,
 * {@code rostopic echo} of Mantis publications (its YAML output compared field by field).
 */
@Tag("ros")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RostopicInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper YAML = new YAMLMapper();

  private RosInstallation ros;
  private RosCoreProcess core;
  private RosNode node;

  @BeforeAll
  void startMasterAndMantisNode() throws Exception {
    ros = RequireRos.installation();
    core = RosCoreProcess.onFreePort(ros);
    core.start();
    node =
        RosNode.builder()
            .setName("mantis_rostopic_interop")
            .setMasterUri(core.uri())
            .optHost("127.0.0.1")
            .build();
    node.start();
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (core != null) {
      core.close();
    }
  }

  @Test
  void rostopicPubStringReachesAMantisSubscriber() throws Exception {
    RosString got =
        receiveFromRostopicPub(
            "/rostopic/string",
            RosMessages.STRING,
            "std_msgs/String",
            "data: 'push the red block: left'");
    assertEquals(new RosString("push the red block: left"), got);
  }

  @Test
  void rostopicPubBoolReachesAMantisSubscriber() throws Exception {
    RosBool got =
        receiveFromRostopicPub("/rostopic/estop", RosMessages.BOOL, "std_msgs/Bool", "data: true");
    assertEquals(new RosBool(true), got);
  }

  @Test
  void rostopicPubJointStateReachesAMantisSubscriber() throws Exception {
    JointState got =
        receiveFromRostopicPub(
            "/rostopic/joint_states",
            RosMessages.JOINT_STATE,
            "sensor_msgs/JointState",
            "{header: {seq: 0, stamp: {secs: 1700000000, nsecs: 250000000}, frame_id: base_link}, "
                + "name: [shoulder, elbow, wrist], position: [0.5, -1.25, 3.0], velocity: [], "
                + "effort: [1.5, 2.5, -0.5]}");
    JointState expected =
        new JointState(
            new Header(got.header().seq(), new RosTime(1_700_000_000L, 250_000_000L), "base_link"),
            List.of("shoulder", "elbow", "wrist"),
            List.of(0.5, -1.25, 3.0),
            List.of(),
            List.of(1.5, 2.5, -0.5));
    assertEquals(expected, got);
  }

  @Test
  void rostopicEchoPrintsAMantisString() throws Exception {
    RosString sent = new RosString("hello: from Mantis");
    JsonNode echoed = echo("/mantis/echo/string", RosMessages.STRING, sent);
    assertEquals(List.of(), Canonical.differences(Canonical.of(sent), echoed, Set.of()));
  }

  @Test
  void rostopicEchoPrintsAMantisJointState() throws Exception {
    JointState sent =
        new JointState(
            new Header(12, new RosTime(1_700_000_001L, 5_000L), "base"),
            List.of("shoulder", "elbow", "wrist"),
            List.of(0.5, -1.25, 3.0),
            List.of(0.25, 0.0, -2.0),
            List.of());
    JsonNode echoed = echo("/mantis/echo/joint_states", RosMessages.JOINT_STATE, sent);
    assertEquals(List.of(), Canonical.differences(Canonical.of(sent), echoed, Set.of()));
  }

  private <T> T receiveFromRostopicPub(
      String topic, RosMessageType<T> type, String rosType, String yaml) throws Exception {
    CompletableFuture<T> got = new CompletableFuture<>();
    try (RosSubscriber<T> sub =
            node.subscribe(topic, type, SubscriberOptions.defaults(), got::complete);
        // Without -1 or -r, rostopic pub publishes once, latched, and stays up until closed.
        RosProcess pub =
            RosProcess.rostopic(ros, core.environment(), "pub", topic, rosType, yaml)) {
      try {
        return got.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(
            "Mantis got nothing from 'rostopic pub "
                + topic
                + "' within "
                + WAIT
                + "; rostopic said:\n"
                + pub.output());
      }
    }
  }

  /** {@code rostopic echo -n 1} of one latched Mantis message, parsed from its YAML output. */
  private <T> JsonNode echo(String topic, RosMessageType<T> type, T message) throws Exception {
    try (RosPublisher<T> pub = node.advertise(topic, type, PublisherOptions.latched())) {
      pub.publish(message);
      try (RosProcess echo =
          RosProcess.rostopic(ros, core.environment(), "echo", "-n", "1", topic)) {
        assertEquals(0, echo.waitFor(WAIT), echo.output());
        String out = echo.output();
        int end = out.indexOf("\n---");
        String doc = end < 0 ? out : out.substring(0, end);
        return YAML.readTree(doc);
      }
    }
  }
}
