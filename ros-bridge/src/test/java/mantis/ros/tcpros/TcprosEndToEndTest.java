package mantis.ros.tcpros;

import static mantis.ros.tcpros.Tcpros.LIMITS;
import static mantis.ros.tcpros.Tcpros.await;
import static mantis.ros.tcpros.Tcpros.local;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import mantis.ros.msg.Header;
import mantis.ros.msg.Image;
import mantis.ros.msg.RosBool;
import mantis.ros.msg.RosMessageType;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.msg.RosTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcprosEndToEndTest {
  private static final String TOPIC = "/chatter";
  private static final String URI = "http://pub:1/";
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    toClose.add(c);
    return c;
  }

  private TcprosServer server(Publication<?> pub) throws IOException {
    TcprosServer s = closeLater(new TcprosServer("127.0.0.1", 0, "/pub", LIMITS));
    s.start();
    s.add(pub);
    return s;
  }

  private <T> Subscription<T> subscribe(
      RosMessageType<T> type,
      int queueSize,
      Consumer<? super T> callback,
      PublisherResolver resolver) {
    Subscription<T> sub =
        closeLater(
            new Subscription<>("/sub", TOPIC, type, queueSize, true, callback, resolver, LIMITS));
    sub.start();
    sub.setPublishers(Set.of(URI));
    return sub;
  }

  private static List<String> synced() {
    return Collections.synchronizedList(new ArrayList<>());
  }

  @Test
  void messagesArriveInOrder() throws IOException {
    Publication<RosString> pub =
        closeLater(new Publication<>("/pub", TOPIC, RosMessages.STRING, false, 1000));
    TcprosServer server = server(pub);
    List<String> got = synced();
    Subscription<RosString> sub =
        subscribe(
            RosMessages.STRING, 1000, m -> got.add(m.data()), (uri, topic) -> local(server.port()));
    await(() -> sub.publisherCount() == 1 && pub.subscriberCount() == 1, "the connection");
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      sent.add("m" + i);
      pub.publish(new RosString("m" + i));
    }
    await(() -> got.size() == 500, "500 messages");
    assertEquals(sent, got);
    assertEquals(500, sub.received());
    assertEquals(500, pub.published());
    assertEquals(0, pub.dropped() + sub.dropped());
    BusConnection out = pub.connections().get(0);
    assertEquals(new BusConnection(out.id(), "/sub", 'o', TOPIC, true), out);
    BusConnection in = sub.connections().get(0);
    assertEquals(new BusConnection(in.id(), URI, 'i', TOPIC, true), in);
  }

  @Test
  void latchingDeliversTheLastMessageToALateSubscriber() throws IOException {
    Publication<RosString> pub =
        closeLater(new Publication<>("/pub", TOPIC, RosMessages.STRING, true, 10));
    TcprosServer server = server(pub);
    pub.publish(new RosString("old"));
    pub.publish(new RosString("last"));
    List<String> got = synced();
    subscribe(RosMessages.STRING, 10, m -> got.add(m.data()), (uri, topic) -> local(server.port()));
    await(() -> got.size() == 1, "the latched message");
    pub.publish(new RosString("next"));
    await(() -> got.size() == 2, "the next message");
    assertEquals(List.of("last", "next"), got);
  }

  @Test
  void aSubscriberWithAnotherTypeIsRefusedWithAnErrorHeader() throws IOException {
    Publication<RosString> pub =
        closeLater(new Publication<>("/pub", TOPIC, RosMessages.STRING, false, 10));
    TcprosServer server = server(pub);
    try (Tcpros.Logs logs = new Tcpros.Logs()) {
      List<RosBool> got = Collections.synchronizedList(new ArrayList<>());
      Subscription<RosBool> sub =
          subscribe(RosMessages.BOOL, 10, got::add, (uri, topic) -> local(server.port()));
      String serverSide = logs.awaitWarn("dropped connection from /sub", TOPIC, "md5sum mismatch");
      String clientSide =
          logs.awaitWarn("publisher " + URI, TOPIC, "publisher refused", "md5sum mismatch");
      assertTrue(serverSide.contains(RosMessages.STRING.md5sum()), serverSide);
      assertTrue(clientSide.contains(RosMessages.BOOL.md5sum()), clientSide);
      pub.publish(new RosString("x"));
      assertEquals(0, pub.subscriberCount());
      assertEquals(0, sub.publisherCount());
      assertEquals(0, sub.received());
    }
  }

  @Test
  void aWildcardMd5sumIsAcceptedAndAnsweredWithTheRealOne() throws IOException {
    Publication<RosString> pub =
        closeLater(new Publication<>("/pub", TOPIC, RosMessages.STRING, true, 10));
    TcprosServer server = server(pub);
    pub.publish(new RosString("hi"));
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(2000);
      s.getOutputStream().write(Tcpros.subscriberHeader(TOPIC, RosMessages.STRING, "*").encode());
      InputStream in = s.getInputStream();
      ConnectionHeader reply = ConnectionHeader.read(in, 1 << 16);
      assertEquals(RosMessages.STRING.md5sum(), reply.get("md5sum").orElseThrow());
      assertEquals("std_msgs/String", reply.get("type").orElseThrow());
      assertEquals("1", reply.get("latching").orElseThrow());
      assertEquals("/pub", reply.get("callerid").orElseThrow());
      assertEquals(RosMessages.STRING.definition(), reply.get("message_definition").orElseThrow());
      long len = Wire.readUint32(in, "len");
      byte[] payload = Wire.readExactly(in, (int) len, "msg");
      assertEquals(new RosString("hi"), RosMessages.STRING.decode(payload));
      await(() -> pub.subscriberCount() == 1, "the raw subscriber");
    }
    await(() -> pub.subscriberCount() == 0, "the publisher to notice the hang-up");
  }

  @Test
  void aSlowCallbackDropsTheOldestAndStillGetsTheNewest() throws Exception {
    Publication<RosString> pub =
        closeLater(new Publication<>("/pub", TOPIC, RosMessages.STRING, false, 1000));
    TcprosServer server = server(pub);
    CountDownLatch gate = new CountDownLatch(1);
    List<String> got = synced();
    Subscription<RosString> sub =
        subscribe(
            RosMessages.STRING,
            3,
            m -> {
              try {
                gate.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              got.add(m.data());
            },
            (uri, topic) -> local(server.port()));
    await(() -> sub.publisherCount() == 1 && pub.subscriberCount() == 1, "the connection");
    for (int i = 0; i < 100; i++) {
      pub.publish(new RosString("m" + i));
    }
    await(() -> sub.received() == 100, "100 messages read");
    gate.countDown();
    await(() -> got.contains("m99"), "the newest message");
    assertTrue(sub.dropped() > 0, "dropped " + sub.dropped());
    assertEquals(100, got.size() + sub.dropped());
    List<String> sorted = new ArrayList<>(got);
    sorted.sort((a, b) -> Integer.parseInt(a.substring(1)) - Integer.parseInt(b.substring(1)));
    assertEquals(sorted, got, "kept in order");
  }

  @Test
  void aSubscriberReconnectsToARestartedPublisherOnItsNewPort() throws IOException {
    Publication<RosString> pub1 = new Publication<>("/pub", TOPIC, RosMessages.STRING, true, 10);
    TcprosServer server1 = new TcprosServer("127.0.0.1", 0, "/pub", LIMITS);
    server1.start();
    server1.add(pub1);
    AtomicReference<InetSocketAddress> where = new AtomicReference<>(local(server1.port()));
    List<String> got = synced();
    Subscription<RosString> sub =
        subscribe(RosMessages.STRING, 10, m -> got.add(m.data()), (uri, topic) -> where.get());
    pub1.publish(new RosString("before"));
    await(() -> got.contains("before"), "the first publisher's message");

    Publication<RosString> pub2 =
        closeLater(new Publication<>("/pub", TOPIC, RosMessages.STRING, true, 10));
    TcprosServer server2 = server(pub2);
    pub2.publish(new RosString("after"));
    where.set(local(server2.port()));
    pub1.close();
    server1.close();
    await(() -> got.contains("after"), "the restarted publisher's message");
    assertEquals(List.of("before", "after"), got);
    assertEquals(1, sub.publisherCount());
  }

  @Test
  void removingAPublisherFromTheSetClosesItsConnection() throws IOException {
    Publication<RosString> pub =
        closeLater(new Publication<>("/pub", TOPIC, RosMessages.STRING, false, 10));
    TcprosServer server = server(pub);
    Subscription<RosString> sub =
        subscribe(RosMessages.STRING, 10, m -> {}, (uri, topic) -> local(server.port()));
    await(() -> pub.subscriberCount() == 1, "the connection");
    sub.setPublishers(Set.of());
    await(() -> pub.subscriberCount() == 0, "the publisher to see the subscriber go");
    assertEquals(0, sub.publisherCount());
    assertEquals(List.of(), sub.connections());
  }

  @Test
  void aThrowingCallbackIsLoggedAndTheNextMessageStillArrives() throws IOException {
    Publication<RosString> pub =
        closeLater(new Publication<>("/pub", TOPIC, RosMessages.STRING, false, 10));
    TcprosServer server = server(pub);
    List<String> got = synced();
    try (Tcpros.Logs logs = new Tcpros.Logs()) {
      Subscription<RosString> sub =
          subscribe(
              RosMessages.STRING,
              10,
              m -> {
                got.add(m.data());
                if (m.data().equals("boom")) {
                  throw new IllegalStateException("callback bug");
                }
              },
              (uri, topic) -> local(server.port()));
      await(() -> sub.publisherCount() == 1 && pub.subscriberCount() == 1, "the connection");
      pub.publish(new RosString("boom"));
      pub.publish(new RosString("fine"));
      await(() -> got.size() == 2, "both messages");
      logs.awaitWarn("callback for " + TOPIC + " threw");
    }
  }

  @Test
  void aSubscriberThatNeverReadsDoesNotSlowPublishOrOthers() throws IOException {
    Publication<Image> pub =
        closeLater(new Publication<>("/pub", "/camera", RosMessages.IMAGE, false, 2));
    TcprosServer server = server(pub);
    try (Socket stuck = new Socket("127.0.0.1", server.port())) {
      stuck.setReceiveBufferSize(4096);
      stuck
          .getOutputStream()
          .write(Tcpros.subscriberHeader("/camera", RosMessages.IMAGE, "*").encode());
      await(() -> pub.subscriberCount() == 1, "the stuck subscriber");
      List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
      Subscription<Image> good =
          closeLater(
              new Subscription<>(
                  "/sub",
                  "/camera",
                  RosMessages.IMAGE,
                  10,
                  true,
                  m -> seqs.add(m.header().seq()),
                  (uri, topic) -> local(server.port()),
                  LIMITS));
      good.start();
      good.setPublishers(Set.of(URI));
      await(() -> pub.subscriberCount() == 2, "the good subscriber");
      byte[] pixels = new byte[480 * 640 * 3];
      long start = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        pub.publish(
            new Image(
                new Header(i, new RosTime(0, 0), "cam"), 480, 640, "rgb8", 0, 640 * 3, pixels));
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      await(() -> seqs.contains(199L), "the good subscriber to get the newest frame");
      assertTrue(pub.dropped() > 0, "the stuck subscriber's queue dropped frames");
      assertTrue(ms < 3000, "200 publishes took " + ms + " ms");
    }
  }
}
