package mantis.ros.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import mantis.ros.xmlrpc.XmlRpcServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MasterClient against a scripted fake master (the real one is exercised in mantis.ros.node). */
class MasterClientTest {
  private final List<List<Object>> calls = new CopyOnWriteArrayList<>();
  private volatile Object nextAnswer;
  private XmlRpcServer fake;
  private MasterClient client;

  @BeforeEach
  void start() throws IOException {
    fake =
        new XmlRpcServer(
            "127.0.0.1",
            0,
            (method, params) -> {
              List<Object> c = new java.util.ArrayList<>();
              c.add(method);
              c.addAll(params);
              calls.add(c);
              return nextAnswer;
            });
    fake.start();
    client =
        new MasterClient(
            URI.create("http://127.0.0.1:" + fake.port() + "/"), "/me", Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  @Test
  void callsSendTheCallerIdFirstAndReturnTheTypedValue() throws IOException {
    nextAnswer = List.of(1, "ok", List.of("http://sub:1/"));
    URI me = URI.create("http://me:2/");
    assertEquals(List.of("http://sub:1/"), client.registerPublisher("/t", "std_msgs/String", me));
    assertEquals(
        List.of("registerPublisher", "/me", "/t", "std_msgs/String", "http://me:2/"), calls.get(0));
    nextAnswer = List.of(1, "", List.of(List.of("/t", "std_msgs/String")));
    assertEquals(List.of(new TopicType("/t", "std_msgs/String")), client.getTopicTypes());
    nextAnswer =
        List.of(1, "", List.of(List.of(List.of("/t", List.of("/a", "/b"))), List.of(), List.of()));
    SystemState s = client.getSystemState();
    assertEquals(List.of("/a", "/b"), s.publishersOf("/t"));
    assertEquals(List.of(), s.subscribersOf("/t"));
    nextAnswer = List.of(1, "", 4242);
    assertEquals(4242, client.getPid());
    nextAnswer = List.of(1, "", Map.of("kp", 1.5));
    assertEquals(Optional.of(Map.of("kp", 1.5)), client.getParam("/gains"));
    nextAnswer = List.of(1, "", false);
    assertFalse(client.hasParam("/x"));
  }

  @Test
  void aCodeOtherThanOneIsARosMasterExceptionWithTheStatusMessage() {
    nextAnswer = List.of(-1, "ERROR: parameter [/x] is not set", 0);
    RosMasterException e = assertThrows(RosMasterException.class, () -> client.deleteParam("/x"));
    assertEquals(-1, e.code());
    assertEquals("ERROR: parameter [/x] is not set", e.statusMessage());
    assertTrue(e.getMessage().contains("deleteParam"), e.getMessage());
    nextAnswer = List.of(0, "internal failure", 0);
    assertThrows(RosMasterException.class, () -> client.getParamNames());
  }

  @Test
  void notSetParametersAndUnknownNodesAreEmptyNotErrors() throws IOException {
    nextAnswer = List.of(-1, "Parameter [/x] is not set", 0);
    assertEquals(Optional.empty(), client.getParam("/x"));
    nextAnswer = List.of(-1, "unknown node [/n]", "");
    assertEquals(Optional.empty(), client.lookupNode("/n"));
    nextAnswer = List.of(-1, "Cannot find parameter", "");
    assertEquals(Optional.empty(), client.searchParam("x"));
  }

  @Test
  void answersThatAreNotRosTriplesAreRefusedWithWhatCame() {
    nextAnswer = "just a string";
    IOException e = assertThrows(IOException.class, () -> client.getPid());
    assertTrue(
        e.getMessage().contains("[code, statusMessage, value]")
            && e.getMessage().contains("just a string"),
        e.getMessage());
    nextAnswer = List.of(1, "", "not an int");
    IOException typed = assertThrows(IOException.class, () -> client.getPid());
    assertTrue(typed.getMessage().contains("expected an int"), typed.getMessage());
  }

  @Test
  void anUnreachableMasterIsAPlainIoException() {
    fake.close();
    IOException e = assertThrows(IOException.class, () -> client.getPid());
    assertFalse(e instanceof RosMasterException);
    assertTrue(e.getMessage().contains("getPid"), e.getMessage());
  }
}
