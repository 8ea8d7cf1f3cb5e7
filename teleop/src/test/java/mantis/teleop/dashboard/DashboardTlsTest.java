package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import mantis.security.ServerSecurity;
import mantis.security.TestCertificates;
import mantis.security.TlsServerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard under the gRPC server's exposure rule: with the server's TLS files it serves HTTPS
 * with the same certificate (and a {@code Secure} session cookie); bound off loopback without TLS
 * it refuses to start unless {@code --insecure} was given, because a token typed into a plain-HTTP
 * login page crosses the network in clear.
 */
class DashboardTlsTest {
  @TempDir static Path dir;
  private static TestCertificates certs;
  private static HttpClient https;

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(dir.resolve("tls"));
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certs.ca)) {
      trust.setCertificateEntry(
          "test-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    https =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  private static ServerSecurity tls(boolean tokens) {
    ServerSecurity.Builder b =
        ServerSecurity.builder()
            .optTls(TlsServerConfig.of(certs.server.cert(), certs.server.key()));
    return (tokens ? b.optTokens(DashboardRolesTest.TOKENS) : b).build();
  }

  @Test
  void withTheServersTlsFilesTheDashboardAnswersOverHttpsWithThatCertificate() throws Exception {
    try (DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(new FakeTeleop())
            .optPort(0)
            .optSecurity(tls(true))
            .build()
            .start()) {
      assertTrue(dash.tls());
      assertEquals("https://127.0.0.1:" + dash.port() + "/", dash.url());
      HttpResponse<String> r =
          https.send(
              HttpRequest.newBuilder(URI.create(dash.url() + "api/session"))
                  .header("Authorization", "Bearer " + DashboardRolesTest.VIEWER)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("\"tls\":true"), r.body());
      X509Certificate served =
          (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
      X509Certificate ours;
      try (InputStream in = Files.newInputStream(certs.server.cert())) {
        ours = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      assertEquals(ours, served, "the same certificate as the gRPC server's --tls-cert");

      HttpResponse<String> login =
          https.send(
              HttpRequest.newBuilder(URI.create(dash.url() + "login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString("token=" + DashboardRolesTest.OPERATOR))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(303, login.statusCode(), login.body());
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(cookie.contains("; Secure") && cookie.contains("HttpOnly"), cookie);

      // No plain-HTTP listener: a plain request gets no dashboard answer.
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      try {
        HttpResponse<String> p =
            plain.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dash.port() + "/api/state"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(
            p.statusCode() >= 400 && !p.body().contains("jointNames"),
            p.statusCode() + " " + p.body());
      } catch (IOException expected) {
        // the TLS listener drops a plain-text request: also fine
      }
    }
  }

  @Test
  void offLoopbackWithTlsItStartsAndTheSingleDashboardTokenWorksOverHttpsToo() throws Exception {
    try (DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(new FakeTeleop())
            .optHost("0.0.0.0")
            .optPort(0)
            .optToken("shared-token-0123")
            .optSecurity(tls(false))
            .build()
            .start()) {
      assertTrue(dash.url().startsWith("https://"), dash.url());
      assertTrue(dash.warningBanner().isEmpty());
      HttpResponse<String> r =
          https.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + dash.port() + "/api/state"))
                  .header("Authorization", "Bearer shared-token-0123")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
    }
  }

  @Test
  void offLoopbackPlainHttpIsRefusedWithoutInsecure() {
    for (ServerSecurity sec :
        new ServerSecurity[] {
          ServerSecurity.none(),
          ServerSecurity.builder().optTokens(DashboardRolesTest.TOKENS).build()
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  DashboardServer.builder()
                      .setTeleop(new FakeTeleop())
                      .optHost("0.0.0.0")
                      .optSecurity(sec)
                      .build());
      assertTrue(
          e.getMessage()
                  .startsWith(
                      "refusing to serve the teleop dashboard on every network interface "
                          + "(0.0.0.0) over plain HTTP")
              && e.getMessage().contains("--tls-cert")
              && e.getMessage().contains("--insecure"),
          e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> DashboardServer.checkSettings("0.0.0.0", null, null, ServerSecurity.none()));
    assertTrue(
        DashboardServer.checkSettings("127.0.0.1", null, null, ServerSecurity.none()).isEmpty(),
        "loopback may stay plain HTTP");
  }

  @Test
  void offLoopbackPlainHttpWithInsecureStartsWithALoudWarning() throws Exception {
    try (DashboardServer dash =
        DashboardServer.builder()
            .setTeleop(new FakeTeleop())
            .optHost("0.0.0.0")
            .optPort(0)
            .optSecurity(ServerSecurity.builder().optInsecure(true).build())
            .build()
            .start()) {
      assertTrue(dash.url().startsWith("http://"));
      String banner = String.join("\n", dash.warningBanner());
      assertTrue(
          banner.contains(
                  "!! WARNING: --insecure: the teleop dashboard on 0.0.0.0 is reachable from other "
                      + "machines")
              && banner.contains("WITHOUT TLS"),
          banner);
      assertTrue(dash.tokenRequired(), "--insecure never makes it open: the token is still needed");
      assertFalse(dash.token().isEmpty());
    }
  }
}
