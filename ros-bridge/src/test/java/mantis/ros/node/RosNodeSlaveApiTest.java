package mantis.ros.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.xmlrpc.XmlRpcClient;
import mantis.ros.xmlrpc.XmlRpcFault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes whose master is down: the slave API alone wires them together. */
class RosNodeSlaveApiTest {
  private URI deadMaster;
  private RosNode a;
  private RosNode b;

  @BeforeEach
  void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      deadMaster = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/");
    }
    a = node("node_a");
    b = node("node_b");
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  private RosNode node(String name) throws Exception {
    RosNode n =
        RosNode.builder()
            .setName(name)
            .setMasterUri(deadMaster)
            .optHost("127.0.0.1")
            .optMasterPollPeriod(Duration.ofMillis(100))
            .optCallTimeout(Duration.ofMillis(500))
            .build();
    n.start();
    return n;
  }

  private static XmlRpcClient slave(RosNode n) {
    return new XmlRpcClient(n.slaveUri(), Duration.ofSeconds(2));
  }

  @Test
  void advertiseAndSubscribeWorkWithoutAMasterAndPublisherUpdateConnectsThem() throws Exception {
    RosPublisher<RosString> pub =
        a.advertise("chatter", RosMessages.STRING, PublisherOptions.defaults());
    List<String> got = new CopyOnWriteArrayList<>();
    RosSubscriber<RosString> sub =
        b.subscribe(
            "/chatter", RosMessages.STRING, SubscriberOptions.defaults(), m -> got.add(m.data()));
    assertFalse(a.isRegistered());
    assertEquals("/chatter", pub.topic());

    List<?> answer =
        (List<?>)
            slave(b)
                .call("publisherUpdate", "/master", "/chatter", List.of(a.slaveUri().toString()));
    assertEquals(1, answer.get(0));
    await(() -> pub.subscriberCount() == 1 && sub.publisherCount() == 1);
    for (int i = 0; i < 5; i++) {
      pub.publish(new RosString("hello " + i));
    }
    await(() -> got.size() == 5);
    assertEquals(List.of("hello 0", "hello 1", "hello 2", "hello 3", "hello 4"), got);
    assertEquals(5, sub.received());
  }

  @Test
  void requestTopicOffersTcprosForPublishedTopicsOnly() throws Exception {
    a.advertise("chatter", RosMessages.STRING, PublisherOptions.defaults());
    List<?> ok =
        (List<?>)
            slave(a)
                .call(
                    "requestTopic",
                    "/x",
                    "/chatter",
                    List.of(List.of("UDPROS"), List.of("TCPROS")));
    assertEquals(1, ok.get(0));
    assertEquals(List.of("TCPROS", "127.0.0.1", a.tcprosPort()), ok.get(2));
    List<?> unknown =
        (List<?>) slave(a).call("requestTopic", "/x", "/nope", List.of(List.of("TCPROS")));
    assertEquals(-1, unknown.get(0));
    assertTrue(unknown.get(1).toString().contains("/nope"), unknown.toString());
    List<?> noTcp =
        (List<?>) slave(a).call("requestTopic", "/x", "/chatter", List.of(List.of("UDPROS")));
    assertEquals(0, noTcp.get(0));
  }

  @Test
  void busInfoPublicationsAndSubscriptionsDescribeTheNode() throws Exception {
    RosPublisher<RosString> pub =
        a.advertise("chatter", RosMessages.STRING, PublisherOptions.defaults());
    b.subscribe("chatter", RosMessages.STRING, SubscriberOptions.defaults(), m -> {});
    slave(b).call("publisherUpdate", "/master", "/chatter", List.of(a.slaveUri().toString()));
    await(() -> pub.subscriberCount() == 1);

    List<?> info = (List<?>) ((List<?>) slave(a).call("getBusInfo", "/x")).get(2);
    assertEquals(1, info.size());
    List<?> conn = (List<?>) info.get(0);
    assertEquals("/node_b", conn.get(1));
    assertEquals("o", conn.get(2));
    assertEquals("TCPROS", conn.get(3));
    assertEquals("/chatter", conn.get(4));
    assertEquals(true, conn.get(5));
    List<?> inInfo = (List<?>) ((List<?>) slave(b).call("getBusInfo", "/x")).get(2);
    assertEquals("i", ((List<?>) inInfo.get(0)).get(2));

    // Every node publishes its log on /rosout, as rospy and roscpp nodes do.
    assertEquals(
        java.util.Set.of(
            List.of("/chatter", "std_msgs/String"), List.of("/rosout", "rosgraph_msgs/Log")),
        new java.util.HashSet<>(
            (List<?>) ((List<?>) slave(a).call("getPublications", "/x")).get(2)));
    assertEquals(
        List.of(List.of("/chatter", "std_msgs/String")),
        ((List<?>) slave(b).call("getSubscriptions", "/x")).get(2));
    assertEquals(deadMaster.toString(), ((List<?>) slave(a).call("getMasterUri", "/x")).get(2));
    assertEquals(
        (int) ProcessHandle.current().pid(), ((List<?>) slave(a).call("getPid", "/x")).get(2));
    assertEquals(1, ((List<?>) slave(a).call("getBusStats", "/x")).get(0));
    assertEquals(1, ((List<?>) slave(a).call("paramUpdate", "/x", "/p", 3)).get(0));
    XmlRpcFault f = assertThrows(XmlRpcFault.class, () -> slave(a).call("noSuchMethod", "/x"));
    assertTrue(f.faultString().contains("noSuchMethod"), f.faultString());
  }

  @Test
  void duplicateTopicsAreRefusedAndTypeConflictsNamed() {
    a.advertise("chatter", RosMessages.STRING, PublisherOptions.defaults());
    IllegalStateException dup =
        assertThrows(
            IllegalStateException.class,
            () -> a.advertise("/chatter", RosMessages.STRING, PublisherOptions.defaults()));
    assertTrue(dup.getMessage().contains("already advertises /chatter"), dup.getMessage());
    IllegalArgumentException conflict =
        assertThrows(
            IllegalArgumentException.class,
            () -> a.subscribe("chatter", RosMessages.BOOL, SubscriberOptions.defaults(), m -> {}));
    assertTrue(conflict.getMessage().contains("std_msgs/String"), conflict.getMessage());
  }

  @Test
  void aClosedPublisherFreesItsTopicAndIsNoLongerOffered() throws Exception {
    RosPublisher<RosString> pub =
        a.advertise("chatter", RosMessages.STRING, PublisherOptions.defaults());
    pub.close();
    pub.close();
    pub.publish(new RosString("ignored after close"));
    List<?> gone =
        (List<?>) slave(a).call("requestTopic", "/x", "/chatter", List.of(List.of("TCPROS")));
    assertEquals(-1, gone.get(0));
    a.advertise("chatter", RosMessages.BOOL, PublisherOptions.defaults()).close();
  }

  @Test
  void theShutdownCallClosesTheNode() throws Exception {
    assertEquals(1, ((List<?>) slave(a).call("shutdown", "/rosnode", "test says bye")).get(0));
    await(a::isClosed);
  }

  @Test
  void closeStopsEveryThreadTheNodeStarted() throws Exception {
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
    RosNode n = node("node_c");
    RosPublisher<RosString> pub =
        n.advertise("chatter", RosMessages.STRING, PublisherOptions.defaults());
    RosSubscriber<RosString> sub =
        b.subscribe("chatter", RosMessages.STRING, SubscriberOptions.defaults(), m -> {});
    n.subscribe("other", RosMessages.STRING, SubscriberOptions.defaults(), m -> {});
    slave(b).call("publisherUpdate", "/master", "/chatter", List.of(n.slaveUri().toString()));
    await(() -> pub.subscriberCount() == 1);
    sub.close();
    n.close();
    b.close();
    await(
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .allMatch(t -> t.getName().startsWith("HttpClient-"))); // the JDK's shared client
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.sleep(20);
    }
  }
}
