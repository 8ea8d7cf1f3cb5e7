package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.security.BearerToken;
import mantis.security.ClientSecurity;
import mantis.security.TestCertificates;
import mantis.security.TlsClientConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mantis serve}'s exposure rule and security flags, and the client flags of {@code mantis
 * sim}.
 */
class ServeSecurityTest {
  @TempDir Path dir;

  private static final String[] QUIET = {
    "--port", "0", "--metrics-port", "-1", "--dashboard-port", "-1", "--policy", "hold"
  };

  private static String[] serve(String... args) {
    String[] all = new String[1 + args.length + QUIET.length];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    System.arraycopy(QUIET, 0, all, 1 + args.length, QUIET.length);
    return all;
  }

  @Test
  void servingEveryInterfaceWithoutTlsAndTokensIsRefusedWithWhatToDo() {
    // On 1d41b63 this served 0.0.0.0 without credentials and never returned.
    CliRun r =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60), () -> CliRun.of(serve("--host", "0.0.0.0")));
    assertEquals(2, r.code(), r.err());
    assertTrue(
        r.err().contains("refusing to listen on every network interface (0.0.0.0)"), r.err());
    assertTrue(r.err().contains("no TLS certificate and no tokens are configured"), r.err());
    assertTrue(r.err().contains("Add TLS and tokens (see docs/SECURITY.md)"), r.err());
    assertTrue(r.err().contains("--insecure"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace");
  }

  @Test
  void tokensWithoutTlsOrTlsWithoutTokensAreNotEnoughOffLoopback() throws Exception {
    Path tokens = dir.resolve("tokens.yaml");
    assertEquals(
        0,
        CliRun.of(
                "token",
                "create",
                "--name",
                "a",
                "--role",
                "operator",
                "--tokens-file",
                tokens.toString())
            .code());
    CliRun r = CliRun.of(serve("--host", "0.0.0.0", "--tokens-file", tokens.toString()));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("no TLS certificate is configured"), r.err());
    TestCertificates certs = TestCertificates.create(dir.resolve("pki"));
    CliRun t =
        CliRun.of(
            serve(
                "--host",
                "::",
                "--tls-cert",
                certs.server.cert().toString(),
                "--tls-key",
                certs.server.key().toString()));
    assertEquals(2, t.code(), t.err());
    assertTrue(t.err().contains("no tokens are configured"), t.err());
  }

  @Test
  void badSecurityFilesAndUnresolvableHostsAreUsageErrorsNamingThem() throws Exception {
    Path missing = dir.resolve("missing.pem");
    CliRun tls =
        CliRun.of(serve("--tls-cert", missing.toString(), "--tls-key", missing.toString()));
    assertEquals(2, tls.code(), tls.err());
    assertTrue(
        tls.err().contains("TLS certificate chain " + missing + ": no such file"), tls.err());
    CliRun halfTls = CliRun.of(serve("--tls-cert", missing.toString()));
    assertEquals(2, halfTls.code());
    assertTrue(
        halfTls.err().contains("needs both cert_chain and private_key (--tls-cert and --tls-key)"),
        halfTls.err());
    CliRun tokens = CliRun.of(serve("--tokens-file", dir.resolve("none.yaml").toString()));
    assertEquals(2, tokens.code());
    assertTrue(
        tokens.err().contains("tokens file " + dir.resolve("none.yaml") + ": no such file"),
        tokens.err());
    CliRun host = CliRun.of(serve("--host", "no-such-host.invalid"));
    assertEquals(2, host.code());
    assertTrue(
        host.err().contains("cannot resolve the bind address 'no-such-host.invalid'"), host.err());
  }

  @Tag("slow")
  @Test
  void insecureStartsOnEveryInterfaceWithALoudWarningAndWarnsAboutOpenMetrics() throws Exception {
    try (ServeProcess p =
        ServeProcess.start(
            dir,
            "--host",
            "0.0.0.0",
            "--insecure",
            "--port",
            "0",
            "--metrics-host",
            "0.0.0.0",
            "--metrics-port",
            "0",
            "--dashboard-port",
            "-1",
            "--policy",
            "hold")) {
      assertTrue(p.port > 0, p.stderr());
      String err = p.stderr();
      assertTrue(
          err.contains("!! WARNING: --insecure: gRPC on 0.0.0.0 is reachable from other machines"),
          err);
      assertTrue(err.contains("WITHOUT TLS") && err.contains("WITHOUT TOKENS"), err);
      assertTrue(err.contains("the metrics endpoint on 0.0.0.0 has no authentication"), err);
      ManagedChannel ch =
          Grpc.newChannelBuilderForAddress("127.0.0.1", p.port, InsecureChannelCredentials.create())
              .build();
      try {
        assertEquals(
            "hold",
            PolicyServiceGrpc.newBlockingStub(ch)
                .withWaitForReady()
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .describe(DescribeRequest.getDefaultInstance())
                .getName());
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Tag("slow")
  @Test
  void aCreatedTokenIsAcceptedByAServerOnEveryInterfaceWithTlsAndBySimWithTheClientFlags()
      throws Exception {
    TestCertificates certs = TestCertificates.create(dir.resolve("pki"));
    Path tokens = dir.resolve("tokens.yaml");
    CliRun created =
        CliRun.of(
            "token",
            "create",
            "--name",
            "ci-sim",
            "--role",
            "operator",
            "--tokens-file",
            tokens.toString());
    assertEquals(0, created.code(), created.err());
    String token = created.out().strip();
    Path tokenFile = dir.resolve("ci-sim.token");
    Files.writeString(tokenFile, token + "\n");
    CliRun viewer =
        CliRun.of(
            "token",
            "create",
            "--name",
            "ci-viewer",
            "--role",
            "viewer",
            "--tokens-file",
            tokens.toString());
    Path viewerFile = dir.resolve("viewer.token");
    Files.writeString(viewerFile, viewer.out().strip());
    Path audit = dir.resolve("audit.jsonl");

    try (ServeProcess p =
        ServeProcess.start(
            dir,
            "--host",
            "0.0.0.0",
            "--tls-cert",
            certs.server.cert().toString(),
            "--tls-key",
            certs.server.key().toString(),
            "--tokens-file",
            tokens.toString(),
            "--audit-log",
            audit.toString(),
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--dashboard-port",
            "-1",
            "--policy",
            "hold")) {
      assertTrue(p.port > 0, p.stderr());
      assertFalse(p.stderr().contains("WARNING"), p.stderr());
      ManagedChannel ch =
          Grpc.newChannelBuilderForAddress(
                  "localhost",
                  p.port,
                  new ClientSecurity(
                          Optional.of(TlsClientConfig.trusting(certs.ca)),
                          Optional.of(BearerToken.of(token)))
                      .channelCredentials())
              .build();
      try {
        assertEquals(
            "hold",
            PolicyServiceGrpc.newBlockingStub(ch)
                .withWaitForReady()
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .describe(DescribeRequest.getDefaultInstance())
                .getName());
      } finally {
        ch.shutdownNow();
      }
      String target = "localhost:" + p.port;
      CliRun sim =
          CliRun.of(
              "sim",
              "--target",
              target,
              "--tls-ca",
              certs.ca.toString(),
              "--token-file",
              tokenFile.toString(),
              "--episodes",
              "1",
              "--family",
              "reach",
              "--size",
              "64");
      assertEquals(0, sim.code(), sim.err());
      assertTrue(sim.err().contains("serves hold"), sim.err());

      CliRun noToken =
          CliRun.of(
              "sim",
              "--target",
              target,
              "--tls-ca",
              certs.ca.toString(),
              "--episodes",
              "1",
              "--family",
              "reach",
              "--wait-s",
              "5");
      assertEquals(1, noToken.code(), noToken.err());
      assertTrue(noToken.err().contains("UNAUTHENTICATED"), noToken.err());
      CliRun asViewer =
          CliRun.of(
              "sim",
              "--target",
              target,
              "--tls-ca",
              certs.ca.toString(),
              "--token-file",
              viewerFile.toString(),
              "--episodes",
              "1",
              "--family",
              "reach",
              "--wait-s",
              "5");
      assertEquals(1, asViewer.code(), asViewer.err());
      assertTrue(asViewer.err().contains("PERMISSION_DENIED"), asViewer.err());
      CliRun plain =
          CliRun.of(
              "sim",
              "--target",
              "127.0.0.1:" + p.port,
              "--token-file",
              tokenFile.toString(),
              "--episodes",
              "1",
              "--family",
              "reach",
              "--wait-s",
              "3");
      assertEquals(1, plain.code(), plain.err());
    }
    String lines = Files.readString(audit);
    assertTrue(
        lines.contains("\"event\":\"SERVER_START\"")
            && lines.contains("\"mode\":\"AUTHENTICATED\""),
        lines);
    assertTrue(
        lines.contains(
            "\"event\":\"COMMAND_SOURCE\",\"principal\":\"ci-sim\",\"role\":\"operator\""),
        lines);
    assertFalse(lines.contains(token), "no token in the audit log");
  }

  /** A non-loopback IPv4 address of this machine, if it has one. */
  private static Optional<String> lanAddress() throws Exception {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nif.isUp() && !nif.isLoopback()) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return Optional.of(a.getHostAddress());
          }
        }
      }
    }
    return Optional.empty();
  }

  @Tag("slow")
  @Test
  void simSendsATokenInPlainTextToAnotherHostOnlyWithInsecure() throws Exception {
    Optional<String> lan = lanAddress();
    Assumptions.assumeTrue(lan.isPresent(), "this machine has no address but loopback");
    Path tokenFile = dir.resolve("t");
    Files.writeString(tokenFile, "mt_anything");
    try (ServeProcess p =
        ServeProcess.start(
            dir,
            "--host",
            "0.0.0.0",
            "--insecure",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--dashboard-port",
            "-1",
            "--policy",
            "hold")) {
      String target = lan.get() + ":" + p.port;
      CliRun refused =
          CliRun.of(
              "sim",
              "--target",
              target,
              "--token-file",
              tokenFile.toString(),
              "--episodes",
              "1",
              "--family",
              "reach",
              "--wait-s",
              "10");
      assertEquals(1, refused.code(), refused.err());
      assertTrue(
          refused.err().contains("refusing to send the bearer token in plain text to " + target),
          refused.err());
      CliRun insecure =
          CliRun.of(
              "sim",
              "--target",
              target,
              "--token-file",
              tokenFile.toString(),
              "--insecure",
              "--episodes",
              "1",
              "--family",
              "reach",
              "--size",
              "64");
      assertEquals(0, insecure.code(), insecure.err());
    }
    CliRun mtls =
        CliRun.of("sim", "--target", "127.0.0.1:1", "--tls-cert", "c.pem", "--tls-key", "k.pem");
    assertEquals(2, mtls.code());
    assertTrue(mtls.err().contains("need --tls-ca too"), mtls.err());
  }

  @Test
  void theServerRunsInsecureOnlyWhereComposeOptsInBehindPortsPublishedOnTheHostsLoopback()
      throws Exception {
    String dockerfile = Files.readString(Path.of("..", "docker", "Dockerfile.server"));
    String compose = Files.readString(Path.of("..", "docker", "compose.yaml"));
    String cmd = dockerfile.lines().filter(l -> l.startsWith("CMD ")).findFirst().orElseThrow();
    assertTrue(
        cmd.contains("\"--host\", \"0.0.0.0\"")
            && !cmd.contains("\"--insecure\"")
            && cmd.contains("\"--tls-cert\"")
            && cmd.contains("\"--tokens-file\""),
        "the image: TLS and tokens: " + cmd);
    assertTrue(
        compose.contains("command: [\"serve\", \"--host\", \"0.0.0.0\", \"--insecure\""),
        "compose opts in to --insecure explicitly: " + compose);
    assertTrue(
        compose.contains("\"127.0.0.1:50051:50051\"")
            && compose.contains("\"127.0.0.1:9464:9464\""),
        "the insecure server must not be published on every interface of the host");
    assertFalse(compose.contains("\"50051:50051\""), compose);
  }

  @Test
  void theDashboardsArmServiceCredentialsAreCheckedBeforeAnythingStarts() {
    Path missing = dir.resolve("arm.token");
    CliRun r =
        CliRun.of(
            "serve",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--dashboard-port",
            "0",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"),
            "--dashboard-arm",
            "bridge",
            "--arm-service",
            "127.0.0.1:50052",
            "--ros-master",
            "http://127.0.0.1:11311/",
            "--camera-topic",
            "/camera/image_raw",
            "--arm-token-file",
            missing.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("token file " + missing + ": no such file"), r.err());
    assertFalse(r.err().contains("cannot load policy bundle"), r.err());
    CliRun mtls =
        CliRun.of(
            "serve",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--dashboard-port",
            "0",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"),
            "--dashboard-arm",
            "bridge",
            "--arm-service",
            "127.0.0.1:50052",
            "--ros-master",
            "http://127.0.0.1:11311/",
            "--camera-topic",
            "/camera/image_raw",
            "--arm-tls-cert",
            "c.pem",
            "--arm-tls-key",
            "k.pem");
    assertEquals(2, mtls.code(), mtls.err());
    assertTrue(mtls.err().contains("need --arm-tls-ca too"), mtls.err());
  }
}
