package mantis.ros.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import mantis.ros.msg.RosMessageType;
import mantis.ros.node.PublisherOptions;
import mantis.ros.node.RosNode;
import mantis.ros.node.RosPublisher;
import mantis.ros.node.SubscriberOptions;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every supported message type, both ways, between a Mantis {@link RosNode} and a rospy node on a
 * real roscore (one master, one Mantis node and one rospy process for the whole class). Mantis
 * publishes each sample latched on {@code /interop/mantis/<type>}; the rospy peer prints the
 * canonical form of what it received, compared field by field with the sample. The peer publishes
 * the same samples, built by rospy from their canonical form, latched on {@code
 * /interop/rospy/<type>}; the Mantis subscriber's record is compared field by field.
 */
@Tag("ros")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RospyInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private RosCoreProcess core;
  private RosNode node;
  private InteropPeer peer;
  private final List<AutoCloseable> topics = new ArrayList<>();
  private final Map<String, CompletableFuture<Object>> fromRospy = new ConcurrentHashMap<>();

  static Stream<InteropSamples.Sample> samples() {
    return InteropSamples.all().stream();
  }

  @BeforeAll
  void startMasterMantisNodeAndRospyPeer() throws Exception {
    RosInstallation ros = RequireRos.installation();
    core = RosCoreProcess.onFreePort(ros);
    core.start();
    node =
        RosNode.builder()
            .setName("mantis_interop")
            .setMasterUri(core.uri())
            .optHost("127.0.0.1")
            .build();
    node.start();
    peer = new InteropPeer();
    for (InteropSamples.Sample s : InteropSamples.all()) {
      topics.add(publishLatched(mantisTopic(s), s.type(), s.message()));
      CompletableFuture<Object> got = new CompletableFuture<>();
      fromRospy.put(s.name(), got);
      topics.add(
          node.subscribe(rospyTopic(s), s.type(), SubscriberOptions.defaults(), got::complete));
      peer.subscribe(mantisTopic(s), s.type().type())
          .publish(rospyTopic(s), s.type().type(), s.message());
    }
    peer.start(ros, core.environment());
  }

  @AfterAll
  void stopEverything() {
    for (AutoCloseable t : topics) {
      try {
        t.close();
      } catch (Exception e) {
        // closing the node below releases it anyway
      }
    }
    if (peer != null) {
      peer.close();
    }
    if (node != null) {
      node.close();
    }
    if (core != null) {
      core.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void rospyReceivesExactlyWhatMantisPublished(InteropSamples.Sample s) throws Exception {
    JsonNode got = peer.awaitReceived(mantisTopic(s), WAIT);
    assertEquals(
        List.of(),
        Canonical.differences(Canonical.of(s.message()), got, Set.of()),
        "fields rospy saw differently from what Mantis published");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void mantisReceivesExactlyWhatRospyPublished(InteropSamples.Sample s) throws Exception {
    Object got;
    try {
      got = fromRospy.get(s.name()).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "Mantis received nothing on "
              + rospyTopic(s)
              + " within "
              + WAIT
              + "; rospy peer output:\n"
              + peer.output());
    }
    assertTrue(s.message().getClass().isInstance(got), "decoded as " + got.getClass());
    assertEquals(
        List.of(),
        Canonical.differences(Canonical.of(s.message()), Canonical.of(got), s.ignoredFromRospy()),
        "fields Mantis decoded differently from what rospy published");
  }

  private static String mantisTopic(InteropSamples.Sample s) {
    return "/interop/mantis/" + s.name();
  }

  private static String rospyTopic(InteropSamples.Sample s) {
    return "/interop/rospy/" + s.name();
  }

  @SuppressWarnings("unchecked")
  private <T> RosPublisher<T> publishLatched(String topic, RosMessageType<T> type, Object message) {
    RosPublisher<T> p = node.advertise(topic, type, PublisherOptions.latched());
    p.publish((T) message);
    return p;
  }
}
