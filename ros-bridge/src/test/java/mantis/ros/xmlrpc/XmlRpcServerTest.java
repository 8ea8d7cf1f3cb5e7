package mantis.ros.xmlrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class XmlRpcServerTest {
  private XmlRpcServer server;
  private XmlRpcClient client;

  @BeforeEach
  void start() throws IOException {
    server =
        new XmlRpcServer(
            "127.0.0.1",
            0,
            (method, params) -> {
              switch (method) {
                case "echo":
                  return params;
                case "fail":
                  throw new XmlRpcFault(3, "asked to fail");
                case "boom":
                  throw new IllegalStateException("handler bug");
                case "unencodable":
                  return new Object();
                default:
                  throw new XmlRpcFault(-1, "unknown method " + method);
              }
            },
            2,
            4096);
    server.start();
    client =
        new XmlRpcClient(
            URI.create("http://127.0.0.1:" + server.port() + "/"), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aCallRoundTripsItsParamsThroughTheServer() throws IOException {
    Map<String, Object> struct = Map.of("k", List.of(1, 2.5, "x"));
    assertEquals(List.of("a", 1, true, struct), client.call("echo", "a", 1, true, struct));
  }

  @Test
  void handlerFaultsAndFailuresReachTheClientAsFaults() {
    XmlRpcFault f = assertThrows(XmlRpcFault.class, () -> client.call("fail"));
    assertEquals(3, f.faultCode());
    assertEquals("asked to fail", f.faultString());
    XmlRpcFault boom = assertThrows(XmlRpcFault.class, () -> client.call("boom"));
    assertEquals(-2, boom.faultCode());
    assertTrue(boom.faultString().contains("handler bug"), boom.faultString());
    XmlRpcFault bad = assertThrows(XmlRpcFault.class, () -> client.call("unencodable"));
    assertTrue(bad.faultString().contains("no XML-RPC type"), bad.faultString());
  }

  @Test
  void malformedAndOversizedRequestsGetAFaultAndTheServerKeepsServing() throws IOException {
    String garbage = rawPost("<methodCall><methodName>echo</methodName><params><param>");
    assertTrue(garbage.contains("<fault>") && garbage.contains("not well-formed"), garbage);
    String huge = rawPost("<methodCall>" + "x".repeat(10_000) + "</methodCall>");
    assertTrue(huge.contains("<fault>") && huge.contains("over 4096 bytes"), huge);
    assertEquals(List.of("still"), client.call("echo", "still"));
  }

  @Test
  void aDeadServerIsAnIoExceptionNamingTheMethodAndUri() throws IOException {
    int port = server.port();
    server.close();
    IOException e = assertThrows(IOException.class, () -> client.call("echo"));
    assertTrue(
        e.getMessage().contains("echo") && e.getMessage().contains(":" + port), e.getMessage());
  }

  @Test
  void anUnclosedServerDoesNotKeepTheJvmAlive() throws IOException {
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
    XmlRpcServer other = new XmlRpcServer("127.0.0.1", 0, (m, p) -> p);
    other.start();
    try {
      new XmlRpcClient(URI.create("http://127.0.0.1:" + other.port() + "/"), Duration.ofSeconds(5))
          .call("x");
      List<String> nonDaemon =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> !before.contains(t) && t.isAlive() && !t.isDaemon())
              .map(Thread::getName)
              .toList();
      assertEquals(List.of(), nonDaemon);
    } finally {
      other.close();
    }
  }

  private String rawPost(String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST / HTTP/1.0\r\nContent-Type: text/xml\r\nContent-Length: " + b.length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
