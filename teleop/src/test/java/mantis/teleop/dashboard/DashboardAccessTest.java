package mantis.teleop.dashboard;

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
import mantis.security.ServerSecurity;
import org.junit.jupiter.api.Test;

class DashboardAccessTest {
  /**
   * Plain HTTP off loopback, as these tests serve it: since the dashboard follows the gRPC exposure
   * rule, that needs {@code --insecure} (TLS is tested in {@code DashboardTlsTest}).
   */
  static final ServerSecurity INSECURE = ServerSecurity.builder().optInsecure(true).build();

  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

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
    try (DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(teleop)
            .optHost(hosts[0])
            .optPort(0)
            .optToken("s3cret-token-0123")
            .optSecurity(INSECURE)
            .build()
            .start()) {
      assertTrue(dash.tokenRequired());
      String base = "http://" + hosts[1] + ":" + dash.port() + "/";
      for (String path : List.of("api/state", "api/frame.png", "api/recordings")) {
        assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + path))).statusCode(), path);
        assertEquals(
            401,
            send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer wrong"))
                .statusCode(),
            path);
      }
      for (String path :
          List.of(
              "api/jog",
              "api/mode",
              "api/estop",
              "api/reset",
              "api/episode",
              "api/recordings/start",
              "api/recordings/stop")) {
        HttpResponse<String> r =
            send(
                HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"velocities\":[1,1,1],\"mode\":\"POLICY\"}")));
        assertEquals(401, r.statusCode(), path);
        assertTrue(r.body().contains("token"), r.body());
      }
      assertTrue(
          teleop.calls.isEmpty(), "nothing reached the arm without the token: " + teleop.calls);

      assertEquals(
          200,
          send(HttpRequest.newBuilder(URI.create(base + "api/state"))
                  .header("Authorization", "Bearer s3cret-token-0123"))
              .statusCode());
      assertEquals(
          200,
          send(HttpRequest.newBuilder(URI.create(base + "api/estop"))
                  .header("Authorization", "Bearer s3cret-token-0123")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{}")))
              .statusCode());
      assertTrue(teleop.state().estopped());

      // Logging in with the token sets the cookie the page's requests carry; a wrong token sets
      // none.
      HttpResponse<String> wrong = send(login(base, "nope"));
      assertEquals(401, wrong.statusCode());
      assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());
      HttpResponse<String> open = send(login(base, "s3cret-token-0123"));
      assertEquals(303, open.statusCode());
      String cookie = open.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
      String session = cookie.substring(0, cookie.indexOf(';'));
      assertEquals(
          200,
          send(HttpRequest.newBuilder(URI.create(base + "api/state")).header("Cookie", session))
              .statusCode());
      String nearSession =
          session.substring(0, session.length() - 1)
              + (Character.isUpperCase(session.charAt(session.length() - 1))
                  ? Character.toLowerCase(session.charAt(session.length() - 1))
                  : Character.toUpperCase(session.charAt(session.length() - 1)));
      if (nearSession.equals(session)) { // the id ended in a digit, '-' or '_'
        nearSession =
            session.substring(0, session.length() - 1) + (session.endsWith("A") ? "B" : "A");
      }
      HttpResponse<String> near =
          send(
              HttpRequest.newBuilder(URI.create(base + "api/state")).header("Cookie", nearSession));
      assertEquals(
          401,
          near.statusCode(),
          "a session id differing in case after the right one: " + near.body());
      assertEquals(
          200,
          send(HttpRequest.newBuilder(URI.create(base + "api/state"))
                  .header("Authorization", "Bearer s3cret-token-0123"))
              .statusCode());
      assertEquals(
          401,
          send(HttpRequest.newBuilder(URI.create(base + "api/state"))
                  .header("Authorization", "Bearer S3CRET-TOKEN"))
              .statusCode());
    }
  }

  @Test
  void aNonLoopbackBindWithoutATokenGeneratesOne() {
    DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(new FakeTeleop())
            .optHost("0.0.0.0")
            .optSecurity(INSECURE)
            .build();
    assertTrue(dash.tokenRequired());
    assertNotNull(dash.token());
    assertTrue(dash.token().length() >= 32, dash.token());
  }

  @Test
  void aNonLoopbackBindRefusesAnEmptyToken() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DashboardServer.builder()
                    .setTeleop(new FakeTeleop())
                    .optHost("0.0.0.0")
                    .optToken("")
                    .build());
    assertTrue(e.getMessage().contains("token"), e.getMessage());
  }

  @Test
  void loopbackNeedsNoToken() throws Exception {
    try (DashboardServer dash =
        DashboardServer.builder().setTeleop(new FakeTeleop()).optPort(0).build().start()) {
      assertFalse(dash.tokenRequired());
      assertNull(dash.token());
      assertEquals(
          200, send(HttpRequest.newBuilder(URI.create(dash.url() + "api/state"))).statusCode());
    }
  }

  @Test
  void onLoopbackAForeignHostHeaderIsRefused() throws Exception {
    FakeTeleop teleop = new FakeTeleop();
    try (DashboardServer dash =
            DashboardServer.builder().setTeleop(teleop).optPort(0).build().start();
        java.net.Socket s = new java.net.Socket("127.0.0.1", dash.port())) {
      s.getOutputStream()
          .write(
              ("POST /api/estop HTTP/1.1\r\nHost: rebound.example:"
                      + dash.port()
                      + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String reply =
          new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      assertTrue(reply.startsWith("HTTP/1.1 403"), reply);
      assertFalse(teleop.state().estopped());
    }
  }

  /** {@code POST /login} as the login page's form sends it. */
  static HttpRequest.Builder login(String base, String token) {
    return HttpRequest.newBuilder(URI.create(base + "login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "token="
                    + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void tokensCompareExactly() {
    AccessPolicy p = AccessPolicy.forHost("0.0.0.0", "abcdefghijklmnop");
    assertTrue(p.matches(AccessPolicy.bearer("Bearer abcdefghijklmnop")));
    assertTrue(p.matches("abcdefghijklmnop"));
    assertFalse(p.matches(AccessPolicy.bearer("Bearer abcdefghijklmnoq")));
    assertFalse(p.matches(AccessPolicy.bearer("Bearer abcdefghijklmno")));
    assertFalse(p.matches(AccessPolicy.bearer("Basic abcdefghijklmnop")));
    assertFalse(p.matches(null));
    AccessPolicy local = AccessPolicy.forHost("127.0.0.1", null);
    assertTrue(local.allowsHostHeader("127.0.0.1:8080"));
    assertTrue(local.allowsHostHeader("localhost:8080"));
    assertTrue(local.allowsHostHeader("[::1]:8080"));
    assertFalse(local.allowsHostHeader("evil.example:8080"), "DNS rebinding");
    assertFalse(local.allowsHostHeader("192.0.2.7:8080"));
    assertFalse(local.allowsHostHeader(null));
    assertFalse(
        p.allowsHostHeader("evil.example:8080"), "off loopback too: DNS rebinding behind a token");
    assertTrue(AccessPolicy.isLoopback("localhost"));
    assertTrue(AccessPolicy.isLoopback("::1"));
    assertFalse(AccessPolicy.isLoopback("0.0.0.0"));
  }

  /**
   * One raw HTTP/1.1 request with the given Host header (HttpClient will not send a chosen Host).
   */
  static String raw(int port, String method, String path, String host, String... headers)
      throws Exception {
    StringBuilder req =
        new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    String body = method.equals("POST") ? "{}" : "";
    if (method.equals("POST")) {
      req.append("Content-Type: application/json\r\nContent-Length: ")
          .append(body.length())
          .append("\r\n");
    }
    req.append("Connection: close\r\n\r\n").append(body);
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.getOutputStream()
          .write(req.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void offLoopbackAForeignHostHeaderIsRefusedEvenWithTheToken() throws Exception {
    FakeTeleop teleop = new FakeTeleop();
    try (DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(teleop)
            .optHost("0.0.0.0")
            .optPort(0)
            .optToken("s3cret-token-0123")
            .optSecurity(INSECURE)
            .build()
            .start()) {
      int port = dash.port();
      // A page at rebound.example re-points its name at this machine: the browser sends its own
      // name.
      String reply =
          raw(
              port,
              "POST",
              "/api/estop",
              "rebound.example:" + port,
              "Authorization: Bearer s3cret-token-0123");
      assertTrue(reply.startsWith("HTTP/1.1 403"), reply);
      assertTrue(
          reply.contains("rebound.example") && reply.contains("--dashboard-allowed-hosts"), reply);
      assertFalse(teleop.state().estopped(), "the e-stop call did not reach the arm");
      assertTrue(
          raw(port, "GET", "/", "rebound.example:" + port).startsWith("HTTP/1.1 403"),
          "the page too");
      assertTrue(
          raw(port, "POST", "/login", "rebound.example:" + port).startsWith("HTTP/1.1 403"),
          "the login");
      assertTrue(
          raw(port, "GET", "/webjars/chart.js/4.4.7/dist/chart.umd.js", "rebound.example:" + port)
              .startsWith("HTTP/1.1 403"),
          "static files too");
      assertTrue(
          raw(port, "GET", "/api/state", "", "Authorization: Bearer s3cret-token-0123")
              .startsWith("HTTP/1.1 4"),
          "an empty Host");

      // This machine's names pass (and then the token rules).
      assertTrue(
          raw(
                  port,
                  "GET",
                  "/api/state",
                  "127.0.0.1:" + port,
                  "Authorization: Bearer s3cret-token-0123")
              .startsWith("HTTP/1.1 200"));
      assertTrue(
          raw(
                  port,
                  "GET",
                  "/api/state",
                  "localhost:" + port,
                  "Authorization: Bearer s3cret-token-0123")
              .startsWith("HTTP/1.1 200"));
      String[] hosts = bindAndReach();
      if (!hosts[0].equals("0.0.0.0")) {
        assertTrue(
            raw(
                    port,
                    "GET",
                    "/api/state",
                    hosts[0] + ":" + port,
                    "Authorization: Bearer s3cret-token-0123")
                .startsWith("HTTP/1.1 200"),
            "an address of this machine's interfaces");
      }
      String name = InetAddress.getLocalHost().getHostName();
      assertTrue(
          raw(
                  port,
                  "GET",
                  "/api/state",
                  name + ":" + port,
                  "Authorization: Bearer s3cret-token-0123")
              .startsWith("HTTP/1.1 200"),
          "this machine's host name " + name);
      assertTrue(
          dash.url().startsWith("http://" + name.toLowerCase(java.util.Locale.ROOT) + ":"),
          dash.url());
      assertTrue(
          raw(
                  port,
                  "GET",
                  "/api/state",
                  "192.0.2.7:" + port,
                  "Authorization: Bearer s3cret-token-0123")
              .startsWith("HTTP/1.1 403"),
          "an address that is not this machine's");
    }
  }

  @Test
  void namesGivenAsAllowedHostsPassTheHostCheck() throws Exception {
    try (DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(new FakeTeleop())
            .optHost("0.0.0.0")
            .optPort(0)
            .optToken("s3cret-token-0123")
            .optAllowedHosts(List.of("Robot-WS.lab.example.", "[2001:db8::7]"))
            .optSecurity(INSECURE)
            .build()
            .start()) {
      int port = dash.port();
      for (String host :
          List.of("robot-ws.lab.example:" + port, "ROBOT-WS.LAB.EXAMPLE", "[2001:db8::7]:443")) {
        assertTrue(
            raw(port, "GET", "/api/state", host, "Authorization: Bearer s3cret-token-0123")
                .startsWith("HTTP/1.1 200"),
            host);
      }
      assertTrue(
          raw(
                  port,
                  "GET",
                  "/api/state",
                  "other.lab.example",
                  "Authorization: Bearer s3cret-token-0123")
              .startsWith("HTTP/1.1 403"));
    }
    try (DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(new FakeTeleop())
            .optPort(0)
            .optAllowedHosts(List.of("dash.proxy.example"))
            .build()
            .start()) {
      // On loopback too, behind a local reverse proxy: the name passes the Host check (401, not
      // 403), and since
      // other machines reach the dashboard through that name, it asks for its (generated) token.
      assertTrue(
          raw(dash.port(), "GET", "/api/state", "dash.proxy.example").startsWith("HTTP/1.1 401"),
          "on loopback too, behind a local reverse proxy");
      assertTrue(
          raw(
                  dash.port(),
                  "GET",
                  "/api/state",
                  "dash.proxy.example",
                  "Authorization: Bearer " + dash.token())
              .startsWith("HTTP/1.1 200"));
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DashboardServer.checkAccessSettings(
                    "0.0.0.0", null, List.of("http://robot-ws:8080/")));
    assertTrue(e.getMessage().contains("--dashboard-allowed-hosts"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> DashboardServer.checkAccessSettings("0.0.0.0", null, List.of("*.lab.example")));
  }

  /**
   * The recipe of docs/DASHBOARD.md before this change: bound to 127.0.0.1 behind a TLS reverse
   * proxy named with --dashboard-allowed-hosts. Every request came from the proxy on loopback, so
   * the dashboard ran it as "local (no auth)", an admin: anyone who could reach the proxy could
   * reset the e-stop and jog the arm.
   */
  @Test
  void behindAReverseProxyOnLoopbackResetAndJogNeedALogin() throws Exception {
    FakeTeleop teleop = new FakeTeleop();
    try (DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(teleop)
            .optPort(0)
            .optAllowedHosts(List.of("dash.lab.example"))
            .build()
            .start()) {
      assertTrue(dash.tokenRequired(), "a proxy's name means other machines reach this dashboard");
      assertNotNull(dash.token(), "a token is generated, as off loopback");
      int port = dash.port();
      String[] proxy = {
        "X-Forwarded-For: 203.0.113.9",
        "X-Forwarded-Proto: https",
        "Origin: https://dash.lab.example"
      };
      for (String path : List.of("/api/reset", "/api/jog", "/api/mode")) {
        String reply = raw(port, "POST", path, "dash.lab.example", proxy);
        assertTrue(reply.startsWith("HTTP/1.1 401"), path + ": " + reply);
      }
      assertTrue(
          raw(port, "GET", "/api/state", "127.0.0.1:" + port).startsWith("HTTP/1.1 401"),
          "the proxy may rewrite Host to the upstream's address: still a login");
      assertTrue(
          raw(port, "GET", "/", "dash.lab.example", proxy).startsWith("HTTP/1.1 401"),
          "the login page");
      assertEquals(List.of(), teleop.calls, "nothing reached the arm");
      String reply =
          raw(
              port,
              "POST",
              "/api/reset",
              "dash.lab.example",
              "X-Forwarded-For: 203.0.113.9",
              "Authorization: Bearer " + dash.token());
      assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
      assertEquals(List.of("dashboard token admin"), teleop.callers);
    }
  }

  @Test
  void aTokenGivenOnLoopbackIsAskedFor() throws Exception {
    FakeTeleop teleop = new FakeTeleop();
    try (DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(teleop)
            .optPort(0)
            .optToken("s3cret-token-0123")
            .build()
            .start()) {
      assertTrue(dash.tokenRequired());
      assertTrue(raw(dash.port(), "POST", "/api/reset", "127.0.0.1").startsWith("HTTP/1.1 401"));
      assertTrue(
          raw(
                  dash.port(),
                  "POST",
                  "/api/reset",
                  "127.0.0.1",
                  "Authorization: Bearer s3cret-token-0123")
              .startsWith("HTTP/1.1 200"));
      assertEquals(List.of("reset"), teleop.calls);
    }
  }

  @Test
  void anOpenLoopbackDashboardRefusesRequestsThatCameThroughAProxy() throws Exception {
    FakeTeleop teleop = new FakeTeleop();
    try (DashboardServer dash =
        DashboardServer.builder().setTeleop(teleop).optPort(0).build().start()) {
      assertFalse(dash.tokenRequired());
      int port = dash.port();
      for (String header :
          List.of(
              "X-Forwarded-For: 203.0.113.9",
              "Forwarded: for=203.0.113.9",
              "X-Forwarded-Host: dash.lab.example",
              "X-Real-IP: 203.0.113.9",
              "Via: 1.1 proxy")) {
        String reply = raw(port, "POST", "/api/reset", "127.0.0.1:" + port, header);
        assertTrue(reply.startsWith("HTTP/1.1 403"), header + ": " + reply);
        assertTrue(reply.contains("--dashboard-allowed-hosts"), reply);
        assertTrue(
            raw(port, "GET", "/", "127.0.0.1:" + port, header).startsWith("HTTP/1.1 403"),
            "the page too");
      }
      assertEquals(List.of(), teleop.calls);
      assertTrue(
          raw(port, "POST", "/api/reset", "127.0.0.1:" + port).startsWith("HTTP/1.1 200"),
          "a plain local request is open, as before");
    }
  }

  @Test
  void aShortOrBlankDashboardTokenIsRefusedOnEveryBind() {
    for (String host : List.of("0.0.0.0", "127.0.0.1")) {
      for (String token : List.of("1", "admin", "fifteen-chars!!", "   ", "sixteen chars ok")) {
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () ->
                    DashboardServer.builder()
                        .setTeleop(new FakeTeleop())
                        .optHost(host)
                        .optToken(token)
                        .optSecurity(INSECURE)
                        .build(),
                host + " " + token);
        assertTrue(
            e.getMessage().contains("16") || e.getMessage().contains("space"), e.getMessage());
      }
      assertTrue(
          DashboardServer.builder()
              .setTeleop(new FakeTeleop())
              .optHost(host)
              .optToken("sixteen-chars-ok")
              .optSecurity(INSECURE)
              .build()
              .tokenRequired());
    }
  }
}
