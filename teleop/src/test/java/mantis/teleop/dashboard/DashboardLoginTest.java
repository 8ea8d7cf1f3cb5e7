package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Logging in to a token-protected dashboard over HTTP: the login page, the cookie, CSRF and the try
 * limit.
 */
class DashboardLoginTest {
  private static final String TOKEN = "s3cret-token-0123";
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private FakeTeleop teleop;
  private DashboardServer dash;
  private String base;

  @BeforeEach
  void start() {
    teleop = new FakeTeleop();
    dash =
        DashboardServer.builder()
            .setTeleop(teleop)
            .optHost("0.0.0.0")
            .optPort(0)
            .optToken(TOKEN)
            .optSecurity(DashboardAccessTest.INSECURE)
            .optClock(nanos::get)
            .build()
            .start();
    base = "http://127.0.0.1:" + dash.port() + "/";
  }

  @AfterEach
  void stop() {
    dash.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> login(String token) throws Exception {
    return send(DashboardAccessTest.login(base, token));
  }

  /** Logs in and returns the {@code name=value} of the session cookie. */
  private String session() throws Exception {
    HttpResponse<String> r = login(TOKEN);
    assertEquals(303, r.statusCode(), r.body());
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return cookie.substring(0, cookie.indexOf(';'));
  }

  private HttpRequest.Builder estop(String cookie) {
    return HttpRequest.newBuilder(URI.create(base + "api/estop"))
        .header("Cookie", cookie)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}"));
  }

  @Test
  void withoutALoginThePageIsTheLoginFormAndTheApiAnswers401() throws Exception {
    HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base)));
    assertEquals(401, page.statusCode());
    assertTrue(
        page.body().contains("<form id=\"login-form\" method=\"post\" action=\"/login\">"),
        page.body());
    assertTrue(page.body().contains("type=\"password\""), page.body());
    assertFalse(page.body().contains("id=\"estop\""), "not the dashboard itself");
    HttpResponse<String> api = send(HttpRequest.newBuilder(URI.create(base + "api/state")));
    assertEquals(401, api.statusCode());
    assertTrue(api.body().contains("log in"), api.body());
  }

  @Test
  void aTokenInTheAddressIsNotAcceptedAndSetsNoCookie() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "?token=" + TOKEN)));
    assertEquals(401, r.statusCode());
    assertTrue(r.headers().firstValue("Set-Cookie").isEmpty(), r.headers().toString());
    assertTrue(r.body().contains("Tokens in the address are not accepted"), r.body());
    assertEquals("same-origin", r.headers().firstValue("Referrer-Policy").orElse(""));
  }

  @Test
  void theRightTokenSetsAStrictHttpOnlySessionCookieThatOpensThePageAndTheApi() throws Exception {
    HttpResponse<String> r = login(TOKEN);
    assertEquals(303, r.statusCode());
    assertEquals("/", r.headers().firstValue("Location").orElse(""));
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.startsWith(AccessPolicy.COOKIE + "="), cookie);
    for (String flag : List.of("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=")) {
      assertTrue(cookie.contains(flag), flag + " in " + cookie);
    }
    assertFalse(
        cookie.contains("Secure"), "plain HTTP: a Secure cookie would never come back: " + cookie);
    assertFalse(
        cookie.contains(TOKEN), "the cookie carries a session id, not the token: " + cookie);
    String session = cookie.substring(0, cookie.indexOf(';'));

    HttpResponse<String> page =
        send(HttpRequest.newBuilder(URI.create(base)).header("Cookie", session));
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("id=\"estop\"") && page.body().contains("data-login=\"true\""));
    assertEquals(
        200,
        send(HttpRequest.newBuilder(URI.create(base + "api/state")).header("Cookie", session))
            .statusCode());
    HttpResponse<String> stop =
        send(estop(session).header("Origin", "http://127.0.0.1:" + dash.port()));
    assertEquals(200, stop.statusCode(), stop.body());
    assertTrue(teleop.state().estopped());
  }

  @Test
  void behindATlsProxyTheCookieIsSecure() throws Exception {
    HttpResponse<String> r =
        send(DashboardAccessTest.login(base, TOKEN).header("X-Forwarded-Proto", "https"));
    assertEquals(303, r.statusCode());
    assertTrue(r.headers().firstValue("Set-Cookie").orElseThrow().contains("; Secure"));
  }

  @Test
  void wrongTokensAreCountedAndLimitedPerAddress() throws Exception {
    for (int i = 1; i < LoginThrottle.DEFAULT_MAX_FAILURES; i++) {
      HttpResponse<String> r = login("guess-" + i);
      assertEquals(401, r.statusCode());
      assertTrue(r.body().contains("Wrong token."), r.body());
      assertTrue(r.headers().firstValue("Set-Cookie").isEmpty());
    }
    // A wrong Bearer token counts as well: the fifth wrong token uses up the tries.
    assertEquals(
        401,
        send(HttpRequest.newBuilder(URI.create(base + "api/state"))
                .header("Authorization", "Bearer guess-5"))
            .statusCode());
    HttpResponse<String> locked = login(TOKEN);
    assertEquals(429, locked.statusCode(), "refused while locked, the right token too");
    assertTrue(locked.headers().firstValue("Set-Cookie").isEmpty());
    long retry = Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retry > 0 && retry <= 60, "Retry-After " + retry);
    assertTrue(locked.body().contains("Too many wrong tokens"), locked.body());
    assertEquals(
        429,
        send(HttpRequest.newBuilder(URI.create(base + "api/state"))
                .header("Authorization", "Bearer " + TOKEN))
            .statusCode());

    nanos.addAndGet(LoginThrottle.DEFAULT_WINDOW_NANOS); // the minute is over
    assertEquals(303, login(TOKEN).statusCode());
    assertEquals(
        200,
        send(HttpRequest.newBuilder(URI.create(base + "api/state"))
                .header("Authorization", "Bearer " + TOKEN))
            .statusCode());
  }

  @Test
  void aCrossOriginPostWithTheCookieIsRefused() throws Exception {
    String session = session();
    for (String origin : List.of("http://evil.example", "http://127.0.0.1:1", "null")) {
      HttpResponse<String> r = send(estop(session).header("Origin", origin));
      assertEquals(403, r.statusCode(), origin);
      assertTrue(r.body().contains("cross-origin request refused"), r.body());
    }
    HttpResponse<String> site = send(estop(session).header("Sec-Fetch-Site", "same-site"));
    assertEquals(403, site.statusCode(), "a page on another port of this host");
    HttpResponse<String> none = send(estop(session));
    assertEquals(403, none.statusCode(), "a cookie POST without Origin");
    assertTrue(none.body().contains("Origin"), none.body());
    assertFalse(teleop.state().estopped(), "nothing reached the arm");
    assertTrue(teleop.calls.isEmpty(), teleop.calls.toString());

    // A script with the Bearer token needs no Origin; the dashboard's own origin passes with the
    // cookie.
    assertEquals(
        200,
        send(HttpRequest.newBuilder(URI.create(base + "api/reset"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")))
            .statusCode());
    assertEquals(
        200,
        send(estop(session)
                .header("Origin", "http://127.0.0.1:" + dash.port())
                .header("Sec-Fetch-Site", "same-origin"))
            .statusCode());
    assertTrue(teleop.state().estopped());
  }

  @Test
  void aCrossOriginLoginFormIsRefused() throws Exception {
    HttpResponse<String> r =
        send(DashboardAccessTest.login(base, TOKEN).header("Origin", "http://evil.example"));
    assertEquals(403, r.statusCode());
    assertTrue(r.headers().firstValue("Set-Cookie").isEmpty());
  }

  @Test
  void loggingOutEndsTheSession() throws Exception {
    String session = session();
    HttpResponse<String> out =
        send(
            HttpRequest.newBuilder(URI.create(base + "logout"))
                .header("Cookie", session)
                .header("Origin", "http://127.0.0.1:" + dash.port())
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(303, out.statusCode());
    assertTrue(out.headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
    assertEquals(
        401,
        send(HttpRequest.newBuilder(URI.create(base + "api/state")).header("Cookie", session))
            .statusCode());
  }

  @Test
  void sessionsExpireAfterTwelveHours() throws Exception {
    String session = session();
    nanos.addAndGet(LoginSessions.DEFAULT_TTL_NANOS - 1);
    assertEquals(
        200,
        send(HttpRequest.newBuilder(URI.create(base + "api/state")).header("Cookie", session))
            .statusCode());
    nanos.addAndGet(1);
    assertEquals(
        401,
        send(HttpRequest.newBuilder(URI.create(base + "api/state")).header("Cookie", session))
            .statusCode());
  }

  @Test
  void everyAnswerForbidsFramingAndReferrersToOtherSites() throws Exception {
    for (String path : List.of("", "app.js", "api/state")) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + path)));
      assertEquals("same-origin", r.headers().firstValue("Referrer-Policy").orElse(""), path);
      assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""), path);
      assertTrue(
          r.headers()
              .firstValue("Content-Security-Policy")
              .orElse("")
              .contains("frame-ancestors 'none'"),
          path);
    }
  }

  private HttpRequest.Builder state(String client, String token) {
    return HttpRequest.newBuilder(URI.create(base + "api/state"))
        .header("X-Forwarded-For", client)
        .header("Authorization", "Bearer " + token);
  }

  /**
   * Behind a reverse proxy every request comes from the proxy's address: the try limit, keyed by
   * that address, let five wrong tokens a minute from anyone lock out everyone, a viewer who must
   * log in to press E-STOP too. Now a proxy on loopback names the client (X-Forwarded-For), and
   * only the client that failed waits.
   */
  @Test
  void behindAProxyOneClientsWrongTokensDoNotLockOutAnother() throws Exception {
    for (int i = 0; i < LoginThrottle.DEFAULT_MAX_FAILURES; i++) {
      assertEquals(401, send(state("198.51.100.7", "guess-" + i)).statusCode());
    }
    assertEquals(429, send(state("198.51.100.7", TOKEN)).statusCode(), "the guessing client waits");
    assertEquals(
        429,
        send(DashboardAccessTest.login(base, TOKEN).header("X-Forwarded-For", "198.51.100.7"))
            .statusCode());
    assertEquals(
        200,
        send(state("198.51.100.8", TOKEN)).statusCode(),
        "another client behind the same proxy");
    assertEquals(
        303,
        send(DashboardAccessTest.login(base, TOKEN)
                .header("X-Forwarded-For", "192.0.2.50, 198.51.100.8"))
            .statusCode(),
        "its login too (the proxy's entry counts)");
    assertEquals(
        303,
        send(DashboardAccessTest.login(base, TOKEN)
                .header("Forwarded", "for=198.51.100.9;proto=https"))
            .statusCode(),
        "RFC 7239 Forwarded");
  }

  @Test
  void whileSomeoneGuessesFromManyAddressesTheRightTokenStillWorksForOthers() throws Exception {
    int guesses = LoginThrottle.DEFAULT_MAX_GLOBAL_FAILURES + 1;
    for (int i = 0; i < guesses; i++) {
      assertEquals(401, send(state("198.51.100." + (100 + i), "guess-" + i)).statusCode());
    }
    // Past the overall limit each guessing client is refused after its first wrong token...
    assertEquals(429, send(state("198.51.100.100", TOKEN)).statusCode());
    assertEquals(401, send(state("192.0.2.77", "guess-x")).statusCode());
    assertEquals(429, send(state("192.0.2.77", "guess-y")).statusCode(), "one try only now");
    // ... while a client without a wrong token is still checked: the right token works.
    assertEquals(200, send(state("192.0.2.1", TOKEN)).statusCode());
    assertEquals(
        303,
        send(DashboardAccessTest.login(base, TOKEN).header("X-Forwarded-For", "192.0.2.2"))
            .statusCode());
    nanos.addAndGet(LoginThrottle.DEFAULT_WINDOW_NANOS); // the minute is over
    assertEquals(200, send(state("198.51.100.100", TOKEN)).statusCode());
  }

  /**
   * A remote peer's forwarding headers are not trusted: anyone could write them to dodge the limit.
   */
  @Test
  void forwardingHeadersFromAPeerOffLoopbackAreIgnored() throws Exception {
    String address = null;
    for (java.net.NetworkInterface nif :
        java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      if (nif.isUp() && !nif.isLoopback()) {
        for (java.net.InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
          if (a instanceof java.net.Inet4Address) {
            address = a.getHostAddress();
          }
        }
      }
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        address != null, "this machine has no non-loopback IPv4 address");
    String remote = "http://" + address + ":" + dash.port() + "/";
    for (int i = 0; i < LoginThrottle.DEFAULT_MAX_FAILURES; i++) {
      assertEquals(
          401,
          send(HttpRequest.newBuilder(URI.create(remote + "api/state"))
                  .header("X-Forwarded-For", "198.51.100." + i)
                  .header("Authorization", "Bearer guess-" + i))
              .statusCode());
    }
    assertEquals(
        429,
        send(HttpRequest.newBuilder(URI.create(remote + "api/state"))
                .header("X-Forwarded-For", "198.51.100.99")
                .header("Authorization", "Bearer " + TOKEN))
            .statusCode(),
        "counted against the peer's own address " + address);
    assertEquals(
        200,
        send(state("198.51.100.99", TOKEN)).statusCode(),
        "a loopback client is another client");
  }
}
