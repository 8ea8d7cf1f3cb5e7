package mantis.ros.node;

import static mantis.ros.node.RosNodeInteropTest.awaitFor;
import static mantis.ros.node.RosNodeInteropTest.publishUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A master that restarts and a peer that crashes do not take a Mantis node down. */
@Tag("ros")
@Tag("slow")
class RosNodeRecoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private RosInstallation ros;
  private RosCoreProcess core;
  private RosNode node;

  @BeforeEach
  void start() throws Exception {
    ros = RequireRos.installation();
    core = RosCoreProcess.onFreePort(ros);
    core.start();
    node =
        RosNode.builder()
            .setName("mantis_recovery")
            .setMasterUri(core.uri())
            .optHost("127.0.0.1")
            .optMasterPollPeriod(Duration.ofMillis(200))
            .build();
    node.start();
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (core != null) {
      core.close();
    }
  }

  @Test
  void restartingTheMasterMakesTheNodeReRegisterAndResume() throws Exception {
    RosPublisher<RosString> out =
        node.advertise("/recovery/out", RosMessages.STRING, PublisherOptions.defaults());
    List<String> got = new CopyOnWriteArrayList<>();
    node.subscribe(
        "/recovery/in", RosMessages.STRING, SubscriberOptions.defaults(), m -> got.add(m.data()));
    List<String> through = new CopyOnWriteArrayList<>();
    RosSubscriber<RosString> throughSub =
        node.subscribe(
            "/recovery/through",
            RosMessages.STRING,
            SubscriberOptions.defaults(),
            m -> through.add(m.data()));
    RosProcess survivor =
        RosProcess.rostopic(
            ros,
            core.environment(),
            "pub",
            "-r",
            "20",
            "/recovery/through",
            "std_msgs/String",
            "data: survivor");
    awaitFor(() -> !through.isEmpty(), WAIT, survivor::output);
    awaitFor(node::isRegistered, WAIT, () -> "never registered");

    core.kill();
    awaitFor(() -> !node.isRegistered(), WAIT, () -> "still registered with a dead master");
    out.publish(new RosString("while the master is down")); // nobody listening; must not throw

    long restart = System.nanoTime();
    core.start();
    awaitFor(node::isRegistered, WAIT, () -> "not re-registered after the restart");
    long reRegisterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart);
    assertTrue(reRegisterMs < 5000, "re-registration took " + reRegisterMs + " ms");
    assertTrue(
        node.master().getSystemState().publishersOf("/recovery/out").contains("/mantis_recovery"));
    // the rostopic pub that ran through the restart is not known to the new master, yet its
    // connection is kept and its messages keep coming
    try (survivor) {
      int seen = through.size();
      awaitFor(() -> through.size() > seen + 5, WAIT, survivor::output);
      assertEquals(1, throughSub.publisherCount());
    }

    try (RosProcess echo =
            RosProcess.rostopic(ros, core.environment(), "echo", "-n", "1", "/recovery/out");
        RosProcess pub =
            RosProcess.rostopic(
                ros,
                core.environment(),
                "pub",
                "-r",
                "10",
                "/recovery/in",
                "std_msgs/String",
                "data: after restart")) {
      publishUntil(
          () -> out.publish(new RosString("mantis after restart")),
          () -> echo.output().contains("mantis after restart"));
      awaitFor(() -> got.contains("after restart"), WAIT, pub::output);
    }
  }

  @Test
  void topicsDeclaredWhileTheMasterIsDownAreRegisteredWhenItComesUp() throws Exception {
    core.kill();
    awaitFor(() -> !core.isUp(), WAIT, () -> "master still up");
    RosPublisher<RosString> out =
        node.advertise("/late/out", RosMessages.STRING, PublisherOptions.latched());
    out.publish(new RosString("declared in the dark"));
    node.subscribe("/late/in", RosMessages.STRING, SubscriberOptions.defaults(), m -> {});
    assertFalse(node.isRegistered());
    core.start();
    awaitFor(node::isRegistered, WAIT, () -> "not registered after the master came up");
    try (RosProcess echo =
        RosProcess.rostopic(ros, core.environment(), "echo", "-n", "1", "/late/out")) {
      assertEquals(0, echo.waitFor(WAIT), echo.output());
      assertTrue(echo.output().contains("declared in the dark"), echo.output());
    }
    assertTrue(
        node.master().getSystemState().subscribersOf("/late/in").contains("/mantis_recovery"));
  }

  @Test
  void aKilledPublisherPeerDoesNotBreakTheNodeAndANewPeerIsPickedUp() throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    RosSubscriber<RosString> sub =
        node.subscribe(
            "/peer/in", RosMessages.STRING, SubscriberOptions.defaults(), m -> got.add(m.data()));
    RosPublisher<RosString> out =
        node.advertise("/peer/out", RosMessages.STRING, PublisherOptions.defaults());
    try (RosProcess first =
        RosProcess.rostopic(
            ros,
            core.environment(),
            "pub",
            "-r",
            "20",
            "/peer/in",
            "std_msgs/String",
            "data: first")) {
      awaitFor(() -> got.contains("first"), WAIT, first::output);
      first.process().destroyForcibly(); // SIGKILL: no unregistration, sockets reset
      assertTrue(first.process().waitFor(5, TimeUnit.SECONDS));
    }
    awaitFor(() -> sub.publisherCount() == 0, WAIT, () -> "dead peer still counted");
    try (RosProcess deadEcho = RosProcess.rostopic(ros, core.environment(), "echo", "/peer/out")) {
      publishUntil(
          () -> out.publish(new RosString("to a doomed subscriber")),
          () -> deadEcho.output().contains("doomed"));
      deadEcho.process().destroyForcibly();
      assertTrue(deadEcho.process().waitFor(5, TimeUnit.SECONDS));
    }
    publishUntil(
        () -> out.publish(new RosString("into the void")), () -> out.subscriberCount() == 0);
    try (RosProcess second =
            RosProcess.rostopic(
                ros,
                core.environment(),
                "pub",
                "-r",
                "20",
                "/peer/in",
                "std_msgs/String",
                "data: second");
        RosProcess echo =
            RosProcess.rostopic(ros, core.environment(), "echo", "-n", "1", "/peer/out")) {
      awaitFor(() -> got.contains("second"), WAIT, second::output);
      publishUntil(
          () -> out.publish(new RosString("still publishing")),
          () -> echo.output().contains("still publishing"));
      assertEquals(0, echo.waitFor(WAIT), echo.output());
    }
    assertTrue(node.isRegistered());
    assertFalse(node.isClosed());
  }
}
