package mantis.ros.tcpros;

import static mantis.ros.tcpros.Tcpros.LIMITS;
import static mantis.ros.tcpros.Tcpros.await;
import static mantis.ros.tcpros.Tcpros.concat;
import static mantis.ros.tcpros.Tcpros.le32;
import static mantis.ros.tcpros.Tcpros.local;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import mantis.ros.msg.Header;
import mantis.ros.msg.JointState;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.msg.RosTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input from a peer drops that connection with one WARN naming the peer, the topic and the
 * reason, and the node keeps serving good peers.
 */
class TcprosBadInputTest {
  private static final String TOPIC = "/chatter";
  private static final String GOOD_URI = "http://good:1/";
  private static final String FAKE_URI = "http://fake:1/";

  private Publication<RosString> pub;
  private TcprosServer server;
  private Tcpros.Logs logs;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void startPublisher() throws IOException {
    logs = new Tcpros.Logs();
    pub = new Publication<>("/pub", TOPIC, RosMessages.STRING, true, 10);
    server = new TcprosServer("127.0.0.1", 0, "/pub", LIMITS);
    server.start();
    server.add(pub);
    pub.publish(new RosString("latched"));
  }

  @AfterEach
  void stop() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
    pub.close();
    server.close();
    logs.close();
  }

  private static byte[] field(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return concat(le32(b.length), b);
  }

  /** Sends {@code bytes} and ends the stream; returns what the server answered before closing. */
  private byte[] sendRaw(byte[] bytes) throws IOException {
    return sendRaw(bytes, true);
  }

  private byte[] sendRaw(byte[] bytes, boolean endStream) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
      if (endStream) {
        s.shutdownOutput();
      }
      return Tcpros.readUntilClosed(s);
    }
  }

  private ConnectionHeader errorReply(byte[] answer) throws IOException {
    return ConnectionHeader.read(new ByteArrayInputStream(answer), 1 << 16);
  }

  /** A real subscriber still gets the latched message from the server. */
  private void theServerStillServesAGoodSubscriber() {
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    Subscription<RosString> sub =
        new Subscription<>(
            "/good_sub",
            TOPIC,
            RosMessages.STRING,
            10,
            true,
            m -> got.add(m.data()),
            (uri, topic) -> local(server.port()),
            LIMITS);
    toClose.add(sub);
    sub.start();
    sub.setPublishers(Set.of(GOOD_URI));
    await(() -> got.contains("latched"), "the good subscriber's message");
    assertEquals(1, pub.subscriberCount());
  }

  private void serverDrops(byte[] bytes, String... reason) throws IOException {
    serverDrops(bytes, true, reason);
  }

  private void serverDrops(byte[] bytes, boolean endStream, String... reason) throws IOException {
    byte[] answer = sendRaw(bytes, endStream);
    assertEquals(0, answer.length, "no reply to a malformed header");
    List<String> words = new ArrayList<>(List.of("dropped connection from /127.0.0.1"));
    words.addAll(List.of(reason));
    logs.awaitWarn(words.toArray(String[]::new));
    assertEquals(0, pub.subscriberCount());
    theServerStillServesAGoodSubscriber();
  }

  @Test
  void theServerDropsAHeaderWhoseFieldOverrunsIt() throws IOException {
    serverDrops(
        concat(le32(10), le32(1000), "topic=".getBytes(StandardCharsets.US_ASCII)),
        "claims 1000 bytes but only 6 remain");
  }

  @Test
  void theServerDropsAHeaderLengthOfFourGigabytes() throws IOException {
    serverDrops(le32(0xFFFFFFFFL), "header length 4294967295 exceeds the limit of 65536");
  }

  @Test
  void theServerDropsAFieldWithoutEquals() throws IOException {
    serverDrops(
        concat(le32(4 + 14 + 4 + 9), field("topic=/chatter"), field("md5sum123")),
        "field 2",
        "'md5sum123'",
        "no '='");
  }

  @Test
  void theServerDropsATruncatedHeader() throws IOException {
    serverDrops(
        concat(le32(200), field("topic=/chatter")),
        "truncated connection header",
        "got 18 of 200 bytes");
  }

  @Test
  void theServerDropsAPeerThatSendsNothingWithinTheHandshakeTimeout() throws IOException {
    long start = System.nanoTime();
    serverDrops(new byte[0], false, "?", "no connection header within 500 ms");
    assertTrue((System.nanoTime() - start) / 1e6 >= 450, "waited for the timeout");
  }

  @Test
  void theServerDropsAHeaderThatStopsHalfWayWithinTheTimeout() throws IOException {
    serverDrops(
        concat(le32(200), field("topic=/chatter")), false, "no connection header within 500 ms");
  }

  @Test
  void theServerDropsAPeerThatHangsUpBeforeAnyHeader() throws IOException {
    serverDrops(new byte[0], "closed before a connection header");
  }

  @Test
  void theServerAnswersAWrongMd5sumWithAnErrorHeader() throws IOException {
    byte[] answer =
        sendRaw(
            Tcpros.subscriberHeader(TOPIC, RosMessages.BOOL, RosMessages.BOOL.md5sum()).encode());
    String error = errorReply(answer).get("error").orElseThrow();
    assertTrue(error.contains("md5sum mismatch"), error);
    logs.awaitWarn("dropped connection from /raw_sub", TOPIC, "md5sum mismatch");
    theServerStillServesAGoodSubscriber();
  }

  @Test
  void theServerAnswersAnUnknownTopicWithAnErrorHeader() throws IOException {
    byte[] answer = sendRaw(Tcpros.subscriberHeader("/nope", RosMessages.STRING, "*").encode());
    assertEquals("/pub does not publish /nope", errorReply(answer).get("error").orElseThrow());
    logs.awaitWarn("dropped connection from /raw_sub", "/nope", "does not publish");
    theServerStillServesAGoodSubscriber();
  }

  @Test
  void theServerAnswersAHeaderWithoutMd5sumWithAnErrorHeader() throws IOException {
    byte[] answer = sendRaw(ConnectionHeader.of(Map.of("topic", TOPIC, "callerid", "/x")).encode());
    assertTrue(errorReply(answer).get("error").orElseThrow().contains("no md5sum"));
    logs.awaitWarn("dropped connection from /x", TOPIC, "no md5sum");
    theServerStillServesAGoodSubscriber();
  }

  // ---- against a Subscription, from a fake publisher ----

  /**
   * Subscribes to the fake and to the real publisher; the fake's connection must be dropped with a
   * WARN holding {@code reason}, and the real publisher's messages must keep arriving.
   */
  private void subscriberDrops(Tcpros.FakePublisher.Script script, String... reason)
      throws IOException {
    AtomicInteger hangups = new AtomicInteger();
    Tcpros.FakePublisher fake =
        new Tcpros.FakePublisher(
            (s, request) -> {
              script.run(s, request);
              hangups.incrementAndGet();
            });
    toClose.add(fake);
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    Subscription<RosString> sub =
        new Subscription<>(
            "/sub",
            TOPIC,
            RosMessages.STRING,
            10,
            true,
            m -> got.add(m.data()),
            (uri, topic) -> uri.equals(FAKE_URI) ? fake.address() : local(server.port()),
            LIMITS);
    toClose.add(sub);
    sub.start();
    sub.setPublishers(Set.of(FAKE_URI, GOOD_URI));
    List<String> words = new ArrayList<>(List.of("publisher " + FAKE_URI, "topic " + TOPIC));
    words.addAll(List.of(reason));
    logs.awaitWarn(words.toArray(String[]::new));
    await(() -> got.contains("latched"), "the good publisher's latched message");
    pub.publish(new RosString("later"));
    await(() -> got.contains("later"), "the good publisher's next message");
    assertEquals(1, sub.publisherCount());
    await(() -> hangups.get() >= 1, "the subscriber to hang up on the fake");
    synchronized (fake.requests) {
      ConnectionHeader request = fake.requests.get(0);
      assertEquals(RosMessages.STRING.md5sum(), request.get("md5sum").orElseThrow());
      assertEquals("/sub", request.get("callerid").orElseThrow());
      assertEquals(TOPIC, request.get("topic").orElseThrow());
      assertEquals("1", request.get("tcp_nodelay").orElseThrow());
    }
    long warnsAboutFake = logs.warnings().stream().filter(w -> w.contains(FAKE_URI)).count();
    assertEquals(1, warnsAboutFake, "one WARN per dropped connection: " + logs.warnings());
  }

  private static void write(Socket s, byte[]... parts) throws IOException {
    s.getOutputStream().write(concat(parts));
  }

  private static byte[] goodReply() {
    return Tcpros.publisherHeader(RosMessages.STRING, RosMessages.STRING.md5sum()).encode();
  }

  @Test
  void aSubscriptionDropsAReplyHeaderFieldWithoutEquals() throws IOException {
    subscriberDrops(
        (s, r) -> write(s, le32(4 + 8), field("callerid")), "field 1", "'callerid'", "no '='");
  }

  @Test
  void aSubscriptionDropsAReplyHeaderLengthOfFourGigabytes() throws IOException {
    subscriberDrops(
        (s, r) -> write(s, le32(0xFFFFFFFFL)), "connection header length 4294967295 exceeds");
  }

  @Test
  void aSubscriptionDropsAPublisherWithAnotherMd5sum() throws IOException {
    subscriberDrops(
        (s, r) ->
            write(s, Tcpros.publisherHeader(RosMessages.BOOL, RosMessages.BOOL.md5sum()).encode()),
        "md5sum mismatch",
        RosMessages.BOOL.md5sum());
  }

  @Test
  void aSubscriptionDropsAPublisherThatRepliesWithAnError() throws IOException {
    subscriberDrops(
        (s, r) -> write(s, ConnectionHeader.of(Map.of("error", "go away")).encode()),
        "publisher refused: go away");
  }

  @Test
  void aSubscriptionDropsATruncatedMessageFollowedByEndOfStream() throws IOException {
    subscriberDrops(
        (s, r) -> write(s, goodReply(), le32(10), new byte[] {6, 0, 0}),
        "truncated message: got 3 of 10 bytes");
  }

  @Test
  void aSubscriptionDropsAnAbsurdMessageLengthWithoutAllocatingIt() throws IOException {
    subscriberDrops(
        (s, r) -> write(s, goodReply(), le32(0xFFFFFFF0L)),
        "message length 4294967280 exceeds the limit of 1048576 bytes");
  }

  @Test
  void aSubscriptionDropsAMessageThatDoesNotDecode() throws IOException {
    // std_msgs/String whose string length claims 100 bytes in an 8-byte frame
    subscriberDrops(
        (s, r) -> write(s, goodReply(), le32(8), le32(100), new byte[4]), "undecodable message");
  }

  @Test
  void aMessageThatParsesButBreaksItsTypesRulesIsDroppedAloneAndTheConnectionStays()
      throws IOException {
    JointState good =
        new JointState(
            new Header(0, RosTime.ZERO, ""),
            List.of("a", "b", "c"),
            List.of(0.1, 0.2, 0.3),
            List.of(),
            List.of());
    byte[] goodBytes = RosMessages.JOINT_STATE.encode(good);
    // JointState with 3 names and 2 positions, as rospy serializes it: well framed, invalid.
    byte[] twoPositions =
        concat(
            RosMessages.HEADER.encode(good.header()),
            le32(3),
            field("a"),
            field("b"),
            field("c"),
            le32(2),
            new byte[16],
            le32(0),
            le32(0));
    Tcpros.FakePublisher fake =
        new Tcpros.FakePublisher(
            (s, r) -> {
              write(
                  s,
                  Tcpros.publisherHeader(RosMessages.JOINT_STATE, RosMessages.JOINT_STATE.md5sum())
                      .encode());
              for (int i = 0; i < 5; i++) {
                write(
                    s, le32(goodBytes.length), goodBytes, le32(twoPositions.length), twoPositions);
              }
              write(s, le32(goodBytes.length), goodBytes);
              s.getOutputStream().flush();
              try {
                Thread.sleep(1500); // keep the connection open while the test looks at it
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    toClose.add(fake);
    List<JointState> got = Collections.synchronizedList(new ArrayList<>());
    Subscription<JointState> sub =
        new Subscription<>(
            "/sub",
            "/joint_states",
            RosMessages.JOINT_STATE,
            100,
            true,
            got::add,
            (uri, topic) -> fake.address(),
            LIMITS);
    toClose.add(sub);
    sub.start();
    sub.setPublishers(Set.of(FAKE_URI));
    await(() -> got.size() == 6, "the 6 good messages around the 5 invalid ones");
    assertEquals(good, got.get(5));
    assertEquals(5, sub.invalid());
    assertEquals(6, sub.received());
    assertEquals(1, sub.publisherCount(), "the connection is still up");
    synchronized (fake.requests) {
      assertEquals(1, fake.requests.size(), "no reconnect");
    }
    String warn =
        logs.awaitWarn(
            "/joint_states",
            "/fake_pub",
            FAKE_URI,
            "position must be empty or as long as name (3), got 2",
            "the connection stays up");
    assertEquals(
        1,
        logs.warnings().size(),
        "one WARN for the burst, not one per message: " + logs.warnings());
    assertTrue(warn.contains("1 invalid messages so far"), warn);
  }

  @Test
  void aSubscriptionDropsAPublisherThatNeverReplies() throws IOException {
    subscriberDrops(
        (s, r) -> {
          try {
            Thread.sleep(1500);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        "no connection header from",
        "within 500 ms");
  }

  @Test
  void aResolverFailureIsRetriedUntilThePublisherAppears() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    Subscription<RosString> sub =
        new Subscription<>(
            "/sub",
            TOPIC,
            RosMessages.STRING,
            10,
            true,
            m -> got.add(m.data()),
            (uri, topic) -> {
              if (calls.incrementAndGet() < 3) {
                throw new IOException("requestTopic failed");
              }
              return new InetSocketAddress("127.0.0.1", server.port());
            },
            LIMITS);
    toClose.add(sub);
    sub.start();
    sub.setPublishers(Set.of(GOOD_URI));
    await(() -> got.contains("latched"), "the message after two failed resolves");
    assertEquals(3, calls.get());
    assertEquals(List.of(), logs.warnings(), "network failures are not WARNs");
  }
}
