package mantis.server.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardAccessTest {
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /** A non-loopback address of this machine to bind to, or 0.0.0.0 (reached through 127.0.0.1). */
  private static String[] bindAndReach() throws Exception {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address) {
          return new String[] {a.getHostAddress(), a.getHostAddress()};
        }
      }
    }
    return new String[] {"0.0.0.0", "127.0.0.1"};
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aNonLoopbackBindNeedsTheTokenOnEveryApiPath() throws Exception {
    String[] hosts = bindAndReach();
    FakeTeleop teleop = new FakeTeleop();
    try (DashboardServer dash = DashboardServer.builder().setTeleop(teleop).optHost(hosts[0]).optPort(0)
        .optToken("s3cret-token").build().start()) {
      assertTrue(dash.tokenRequired());
      String base = "http://" + hosts[1] + ":" + dash.port() + "/";
      for (String path : List.of("api/state", "api/frame.png", "api/recordings")) {
        assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + path))).statusCode(), path);
        assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer wrong")).statusCode(), path);
      }
      for (String path : List.of("api/jog", "api/mode", "api/estop", "api/reset", "api/episode",
          "api/recordings/start", "api/recordings/stop")) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"velocities\":[1,1,1],\"mode\":\"POLICY\"}")));
        assertEquals(401, r.statusCode(), path);
        assertTrue(r.body().contains("token"), r.body());
      }
      assertTrue(teleop.calls.isEmpty(), "nothing reached the arm without the token: " + teleop.calls);

      assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "api/state"))
          .header("Authorization", "Bearer s3cret-token")).statusCode());
      assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "api/estop"))
          .header("Authorization", "Bearer s3cret-token").header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode());
      assertTrue(teleop.state().estopped());

      // Opening /?token=T sets the cookie the page's requests carry; a wrong token sets none.
      HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(base + "?token=nope")));
      assertEquals(200, wrong.statusCode());
      assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());
      HttpResponse<String> open = send(HttpRequest.newBuilder(URI.create(base + "?token=s3cret-token")));
      assertEquals(302, open.statusCode());
      String cookie = open.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
      assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "api/state"))
          .header("Cookie", cookie.substring(0, cookie.indexOf(';')))).statusCode());
      HttpResponse<String> near = send(HttpRequest.newBuilder(URI.create(base + "api/state"))
          .header("Cookie", AccessPolicy.COOKIE + "=s3cret-tokeN"));
      assertEquals(401, near.statusCode(), "a token differing in case after the right one: " + near.body());
      assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "api/state"))
          .header("Authorization", "Bearer s3cret-token")).statusCode());
      assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + "api/state"))
          .header("Authorization", "Bearer S3CRET-TOKEN")).statusCode());
    }
  }

  @Test
  void aNonLoopbackBindWithoutATokenGeneratesOne() {
    DashboardServer dash = DashboardServer.builder().setTeleop(new FakeTeleop()).optHost("0.0.0.0").build();
    assertTrue(dash.tokenRequired());
    assertNotNull(dash.token());
    assertTrue(dash.token().length() >= 32, dash.token());
  }

  @Test
  void aNonLoopbackBindRefusesAnEmptyToken() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DashboardServer.builder().setTeleop(new FakeTeleop()).optHost("0.0.0.0").optToken("").build());
    assertTrue(e.getMessage().contains("token"), e.getMessage());
  }

  @Test
  void loopbackNeedsNoToken() throws Exception {
    try (DashboardServer dash = DashboardServer.builder().setTeleop(new FakeTeleop()).optPort(0).build().start()) {
      assertFalse(dash.tokenRequired());
      assertNull(dash.token());
      assertEquals(200, send(HttpRequest.newBuilder(URI.create(dash.url() + "api/state"))).statusCode());
    }
  }

  @Test
  void onLoopbackAForeignHostHeaderIsRefused() throws Exception {
    FakeTeleop teleop = new FakeTeleop();
    try (DashboardServer dash = DashboardServer.builder().setTeleop(teleop).optPort(0).build().start();
         java.net.Socket s = new java.net.Socket("127.0.0.1", dash.port())) {
      s.getOutputStream().write(("POST /api/estop HTTP/1.1\r\nHost: rebound.example:" + dash.port()
          + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String reply = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      assertTrue(reply.startsWith("HTTP/1.1 403"), reply);
      assertFalse(teleop.state().estopped());
    }
  }

  @Test
  void tokensCompareExactly() {
    AccessPolicy p = AccessPolicy.forHost("0.0.0.0", "abc");
    assertTrue(p.allows("Bearer abc", null));
    assertTrue(p.allows(null, "abc"));
    assertFalse(p.allows("Bearer abd", null));
    assertFalse(p.allows("Bearer ab", null));
    assertFalse(p.allows("Basic abc", null));
    assertFalse(p.allows(null, null));
    AccessPolicy local = AccessPolicy.forHost("127.0.0.1", null);
    assertTrue(local.allowsHostHeader("127.0.0.1:8080"));
    assertTrue(local.allowsHostHeader("localhost:8080"));
    assertTrue(local.allowsHostHeader("[::1]:8080"));
    assertFalse(local.allowsHostHeader("evil.example:8080"), "DNS rebinding");
    assertFalse(local.allowsHostHeader("192.0.2.7:8080"));
    assertFalse(local.allowsHostHeader(null));
    assertTrue(p.allowsHostHeader("evil.example:8080"), "off loopback the token rules");
    assertTrue(AccessPolicy.isLoopback("localhost"));
    assertTrue(AccessPolicy.isLoopback("::1"));
    assertFalse(AccessPolicy.isLoopback("0.0.0.0"));
  }
}
