package mantis.ros.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import mantis.ros.master.MasterClient;
import mantis.ros.master.SystemState;
import mantis.ros.master.TopicType;
import mantis.ros.msg.Header;
import mantis.ros.msg.JointState;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.msg.RosTime;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import mantis.ros.xmlrpc.XmlRpcClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A Mantis node against a real roscore, rostopic and rospy. */
@Tag("ros")
class RosNodeInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static RosInstallation ros;
  private static RosCoreProcess core;
  private static RosNode node;

  @BeforeAll
  static void startMaster() throws Exception {
    ros = RequireRos.installation();
    core = RosCoreProcess.onFreePort(ros);
    core.start();
    node =
        RosNode.builder()
            .setName("mantis_interop")
            .setMasterUri(core.uri())
            .optHost("127.0.0.1")
            .build();
    node.start();
  }

  @AfterAll
  static void stopMaster() {
    if (node != null) {
      node.close();
    }
    if (core != null) {
      core.close();
    }
  }

  @Test
  void parametersRoundTripThroughTheMasterIncludingStructsAndLists() throws Exception {
    node.setParam("/mantis/gains", Map.of("kp", 1.5, "joints", List.of("j1", "j2"), "on", true));
    node.setParam("rate_hz", 30);
    MasterClient master = node.master();
    assertEquals(Optional.of(1.5), master.getParam("/mantis/gains/kp"));
    assertEquals(Optional.of(List.of("j1", "j2")), node.getParam("/mantis/gains/joints"));
    assertEquals(Optional.of(30), node.getParam("/rate_hz"));
    assertTrue(node.hasParam("/mantis/gains/on"));
    assertTrue(
        master.getParamNames().contains("/mantis/gains/kp"), master.getParamNames().toString());
    assertEquals(Optional.of("/rate_hz"), master.searchParam("rate_hz"));
    node.deleteParam("rate_hz");
    assertFalse(node.hasParam("rate_hz"));
    assertEquals(Optional.empty(), node.getParam("rate_hz"));
    try (RosProcess get =
        RosProcess.start(
            core.environment(),
            List.of(
                ros.rostopic().resolveSibling("rosparam").toString(),
                "get",
                "/mantis/gains/joints"))) {
      assertEquals(0, get.waitFor(WAIT), get.output());
      assertTrue(get.output().contains("j1") && get.output().contains("j2"), get.output());
    }
  }

  @Test
  void theMasterClientSeesThisNodesRegistrations() throws Exception {
    node.advertise("/graph/out", RosMessages.STRING, PublisherOptions.defaults());
    node.subscribe("/graph/in", RosMessages.BOOL, SubscriberOptions.defaults(), m -> {});
    MasterClient master = node.master();
    assertEquals(Optional.of(node.slaveUri()), master.lookupNode("/mantis_interop"));
    assertEquals(Optional.empty(), master.lookupNode("/no_such_node"));
    SystemState state = master.getSystemState();
    assertTrue(state.publishersOf("/graph/out").contains("/mantis_interop"), state.toString());
    assertTrue(state.subscribersOf("/graph/in").contains("/mantis_interop"), state.toString());
    assertTrue(
        master.getPublishedTopics("").contains(new TopicType("/graph/out", "std_msgs/String")));
    assertTrue(master.getTopicTypes().contains(new TopicType("/graph/in", "std_msgs/Bool")));
    assertTrue(master.getPid() > 0);
    assertEquals(core.port(), master.getUri().getPort());
    assertTrue(node.isRegistered());
  }

  @Test
  void rostopicEchoPrintsAStringAndAJointStateFromMantis() throws Exception {
    RosPublisher<RosString> chatter =
        node.advertise("/chatter", RosMessages.STRING, PublisherOptions.defaults());
    RosPublisher<JointState> joints =
        node.advertise("/arm/joint_states", RosMessages.JOINT_STATE, PublisherOptions.defaults());
    JointState js =
        new JointState(
            new Header(0, new RosTime(12, 500), "base"),
            List.of("shoulder", "elbow"),
            List.of(0.25, -1.5),
            List.of(),
            List.of());
    try (RosProcess echo =
            RosProcess.rostopic(ros, core.environment(), "echo", "-n", "1", "/chatter");
        RosProcess echoJs =
            RosProcess.rostopic(ros, core.environment(), "echo", "-n", "1", "/arm/joint_states")) {
      publishUntil(
          () -> chatter.publish(new RosString("hello from mantis")),
          () -> echo.output().contains("hello from mantis"));
      publishUntil(() -> joints.publish(js), () -> echoJs.output().contains("elbow"));
      assertTrue(
          echoJs.output().contains("shoulder")
              && echoJs.output().contains("-1.5")
              && echoJs.output().contains("frame_id: \"base\""),
          echoJs.output());
      assertEquals(0, echo.waitFor(WAIT), echo.output());
    }
  }

  @Test
  void rostopicPubReachesAMantisSubscriber() throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    RosSubscriber<RosString> sub =
        node.subscribe(
            "/from_ros", RosMessages.STRING, SubscriberOptions.defaults(), m -> got.add(m.data()));
    try (RosProcess pub =
        RosProcess.rostopic(
            ros,
            core.environment(),
            "pub",
            "-r",
            "10",
            "/from_ros",
            "std_msgs/String",
            "data: hi mantis")) {
      awaitFor(() -> !got.isEmpty(), WAIT, pub::output);
      assertEquals("hi mantis", got.get(0));
      assertEquals(1, sub.publisherCount());
    }
  }

  @Test
  void aRospySubscriberStartedLaterGetsTheLatchedMessage() throws Exception {
    RosPublisher<RosString> latched =
        node.advertise("/latched_state", RosMessages.STRING, PublisherOptions.latched());
    latched.publish(new RosString("state 1"));
    latched.publish(new RosString("state 2"));
    Path script = Files.createTempFile("mantis-latch-", ".py");
    Files.writeString(
        script,
        String.join(
            "\n",
            "import sys, rospy",
            "from std_msgs.msg import String",
            "rospy.init_node('latch_listener', anonymous=True)",
            "msg = rospy.wait_for_message(sys.argv[1], String, timeout=15)",
            "print('GOT ' + msg.data, flush=True)",
            ""));
    try (RosProcess py = RosProcess.python(ros, core.environment(), script, "/latched_state")) {
      assertEquals(0, py.waitFor(WAIT), py.output());
      assertTrue(py.output().contains("GOT state 2"), py.output());
    } finally {
      Files.deleteIfExists(script);
    }
  }

  @Test
  void rostopicInfoAndGetBusInfoShowTheMantisConnections() throws Exception {
    RosPublisher<RosString> pub =
        node.advertise("/info_topic", RosMessages.STRING, PublisherOptions.defaults());
    try (RosProcess echo = RosProcess.rostopic(ros, core.environment(), "echo", "/info_topic")) {
      awaitFor(() -> pub.subscriberCount() == 1, WAIT, echo::output);
      try (RosProcess info = RosProcess.rostopic(ros, core.environment(), "info", "/info_topic")) {
        assertEquals(0, info.waitFor(WAIT), info.output());
        assertTrue(info.output().contains("/mantis_interop"), info.output());
        assertTrue(info.output().contains("std_msgs/String"), info.output());
      }
      try (RosProcess rosnode =
          RosProcess.start(
              core.environment(),
              List.of(
                  ros.rostopic().resolveSibling("rosnode").toString(),
                  "info",
                  "/mantis_interop"))) {
        assertEquals(0, rosnode.waitFor(WAIT), rosnode.output());
        String out = rosnode.output();
        assertTrue(
            out.contains("Connections:")
                && out.contains("topic: /info_topic")
                && out.contains("direction: outbound")
                && out.contains("TCPROS"),
            out);
      }
      List<?> busInfo =
          (List<?>)
              ((List<?>)
                      new XmlRpcClient(node.slaveUri(), Duration.ofSeconds(2))
                          .call("getBusInfo", "/test"))
                  .get(2);
      assertTrue(
          busInfo.stream()
              .map(c -> (List<?>) c)
              .anyMatch(
                  c ->
                      c.get(4).equals("/info_topic")
                          && c.get(2).equals("o")
                          && c.get(1).toString().startsWith("/rostopic")),
          busInfo.toString());
    }
  }

  @Test
  void invalidJointStatesFromRospyAreDroppedOneByOneWhileTheGoodOnesKeepTheirRate()
      throws Exception {
    List<Long> goodAt = new CopyOnWriteArrayList<>();
    RosSubscriber<JointState> sub =
        node.subscribe(
            "/mixed/joint_states",
            RosMessages.JOINT_STATE,
            new SubscriberOptions(100, true),
            m -> goodAt.add(System.nanoTime()));
    Path script = Files.createTempFile("mantis-mixed-", ".py");
    // 20 Hz for 3 s; every 4th message has 3 names and 2 positions (rospy does not check).
    Files.writeString(
        script,
        String.join(
            "\n",
            "import time, rospy",
            "from sensor_msgs.msg import JointState",
            "rospy.init_node('mixed_joint_states', anonymous=True)",
            "pub = rospy.Publisher('/mixed/joint_states', JointState, queue_size=100)",
            "deadline = time.time() + 15",
            "while pub.get_num_connections() == 0 and time.time() < deadline:",
            "    time.sleep(0.05)",
            "good = bad = 0",
            "for i in range(60):",
            "    js = JointState(name=['a', 'b', 'c'], position=[0.1, 0.2, 0.3])",
            "    if i % 4 == 3:",
            "        js.position = [0.1, 0.2]",
            "        bad += 1",
            "    else:",
            "        good += 1",
            "    pub.publish(js)",
            "    time.sleep(0.05)",
            "time.sleep(0.5)",
            "print('SENT good=%d bad=%d' % (good, bad), flush=True)",
            ""));
    try (RosProcess py = RosProcess.python(ros, core.environment(), script)) {
      assertEquals(0, py.waitFor(Duration.ofSeconds(30)), py.output());
      assertTrue(py.output().contains("SENT good=45 bad=15"), py.output());
      awaitFor(() -> goodAt.size() == 45, WAIT, () -> "good " + goodAt.size() + "; " + py.output());
      assertEquals(15, sub.invalid(), "every invalid message counted");
      long maxGapMs = 0;
      for (int i = 1; i < goodAt.size(); i++) {
        maxGapMs = Math.max(maxGapMs, (goodAt.get(i) - goodAt.get(i - 1)) / 1_000_000);
      }
      // Two good messages are at most 100 ms apart at the publisher (one invalid between).
      assertTrue(
          maxGapMs < 500,
          "the good messages kept coming at the publisher's rate, but "
              + maxGapMs
              + " ms passed between two of them");
    } finally {
      Files.deleteIfExists(script);
      sub.close();
    }
  }

  @Test
  void aNodeLoggerPublishesItsLinesOnRosoutWithNameLevelAndSourceLine() throws Exception {
    org.slf4j.Logger log = node.logger(RosNodeInteropTest.class);
    Path script = Files.createTempFile("mantis-rosout-", ".py");
    Files.writeString(
        script,
        String.join(
            "\n",
            "import rospy",
            "from rosgraph_msgs.msg import Log",
            "def on_log(m):",
            "    if m.name == '/mantis_interop' and 'disk almost full' in m.msg:",
            "        print('LOG level=%d name=%s file=%s function=%s line=%d topics=%s msg=%s' % (",
            "            m.level, m.name, m.file, m.function, m.line, ','.join(m.topics), m.msg),",
            "            flush=True)",
            "rospy.init_node('rosout_listener', anonymous=True)",
            "rospy.Subscriber('/rosout', Log, on_log, queue_size=100)",
            "print('READY', flush=True)",
            "rospy.spin()",
            ""));
    try (RosProcess py = RosProcess.python(ros, core.environment(), script)) {
      assertTrue(py.awaitOutput("READY", WAIT), py.output());
      publishUntil(
          () -> log.warn("disk almost full: {} MB left", 12),
          () -> py.output().contains("LOG level="));
      String line = py.output().lines().filter(l -> l.startsWith("LOG ")).findFirst().orElseThrow();
      assertTrue(
          line.startsWith(
              "LOG level=4 name=/mantis_interop file=RosNodeInteropTest.java "
                  + "function=mantis.ros.node.RosNodeInteropTest"),
          line);
      assertTrue(line.contains("msg=disk almost full: 12 MB left"), line);
      assertTrue(line.matches(".* line=[1-9][0-9]* .*"), line);
      assertTrue(line.contains("topics=") && line.contains("/rosout"), line);
    } finally {
      Files.deleteIfExists(script);
    }
  }

  @Test
  void underUseSimTimeNowFollowsClockAndIsZeroBeforeTheFirstMessage() throws Exception {
    node.setParam("/use_sim_time", true);
    try (RosNode sim =
        RosNode.builder()
            .setName("mantis_sim_time")
            .setMasterUri(core.uri())
            .optHost("127.0.0.1")
            .build()) {
      sim.start();
      assertTrue(sim.isSimTime());
      assertEquals(RosTime.ZERO, sim.now(), "no /clock yet");
      try (RosProcess clock =
          RosProcess.rostopic(
              ros,
              core.environment(),
              "pub",
              "-r",
              "20",
              "/clock",
              "rosgraph_msgs/Clock",
              "{clock: {secs: 1234, nsecs: 500}}")) {
        awaitFor(() -> sim.now().secs() == 1234, WAIT, clock::output);
        assertEquals(new RosTime(1234, 500), sim.now());
      }
    } finally {
      node.deleteParam("/use_sim_time");
    }
    assertFalse(node.isSimTime(), "a node started without /use_sim_time keeps the wall clock");
    assertTrue(node.now().secs() > 1_600_000_000L, node.now().toString());
  }

  @Test
  void rosnodeKillRunsTheShutdownHandlerWhileTheNodeIsStillUpThenClosesIt() throws Exception {
    java.util.concurrent.atomic.AtomicReference<RosNode> self =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CompletableFuture<String> handled =
        new java.util.concurrent.CompletableFuture<>();
    RosNode victim =
        RosNode.builder()
            .setName("mantis_victim")
            .setMasterUri(core.uri())
            .optHost("127.0.0.1")
            .optShutdownHandler(
                r -> handled.complete(r + ", node closed: " + self.get().isClosed()))
            .build();
    self.set(victim);
    try {
      victim.start();
      awaitFor(victim::isRegistered, WAIT, () -> "registration");
      try (RosProcess kill =
          RosProcess.start(
              core.environment(),
              List.of(
                  ros.rostopic().resolveSibling("rosnode").toString(), "kill", "/mantis_victim"))) {
        assertEquals(0, kill.waitFor(WAIT), kill.output());
      }
      assertEquals(
          "/rosnode (user request), node closed: false",
          handled.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
      awaitFor(victim::isClosed, WAIT, () -> "the node closes after its handler");
      assertEquals(
          Optional.of(new ShutdownRequest("/rosnode", "user request")), victim.shutdownRequest());
      awaitFor(
          () -> {
            try {
              return node.master().lookupNode("/mantis_victim").isEmpty();
            } catch (java.io.IOException e) {
              return false;
            }
          },
          WAIT,
          () -> "the node left the graph");
    } finally {
      victim.close();
    }
  }

  /** Publishes every 100 ms until {@code done} (rostopic needs a moment to connect). */
  static void publishUntil(Runnable publish, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("nothing arrived within " + WAIT);
      }
      publish.run();
      Thread.sleep(100);
    }
  }

  static void awaitFor(
      BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> context)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "condition not met within " + timeout + "; peer output:\n" + context.get());
      }
      Thread.sleep(20);
    }
  }
}
