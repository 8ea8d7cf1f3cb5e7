package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mantis.core.MonotonicClock;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.security.BearerToken;
import mantis.security.ClientSecurity;
import mantis.security.Role;
import mantis.security.ServerSecurity;
import mantis.security.TlsClientConfig;
import mantis.security.TlsServerConfig;
import mantis.security.TokenEntry;
import mantis.security.TokenStore;
import mantis.server.config.MantisConfig;
import mantis.server.policy.HoldPolicy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What docs/SECURITY.md tells people to run and write works as written. */
class SecurityDocCommandsTest {
  private static final Path DOC = Path.of("..", "docs", "SECURITY.md");
  @TempDir Path dir;

  private static String block(String doc, String afterMarker) {
    int at = doc.indexOf(afterMarker);
    assertTrue(at >= 0, "docs/SECURITY.md lacks " + afterMarker);
    Matcher m = Pattern.compile("```[a-z]*\\n(.*?)```", Pattern.DOTALL).matcher(doc);
    assertTrue(m.find(at), "no code block after " + afterMarker);
    return m.group(1);
  }

  @Test
  void theOpensslCommandsMakeCertificatesTheServerAcceptsWithMutualTls() throws Exception {
    Assumptions.assumeTrue(
        new ProcessBuilder("sh", "-c", "command -v openssl && command -v bash").start().waitFor()
            == 0,
        "openssl or bash is not installed");
    String script = block(Files.readString(DOC, StandardCharsets.UTF_8), "<!-- openssl-begin");
    Process p =
        new ProcessBuilder("bash", "-euo", "pipefail", "-c", script)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, output);

    String token = TokenStore.newToken();
    ServerSecurity security =
        ServerSecurity.builder()
            .optTokens(
                TokenStore.of(List.of(TokenEntry.forToken("lab-arm-1", Role.OPERATOR, token))))
            .optTls(
                new TlsServerConfig(
                    dir.resolve("server.pem"),
                    dir.resolve("server-key.pem"),
                    Optional.of(dir.resolve("ca.pem"))))
            .build();
    try (MantisServer server =
        MantisServer.builder()
            .setPolicy(HoldPolicy.create(TestServer.ROBOT, MonotonicClock.system()))
            .setRobot(TestServer.ROBOT)
            .optHost("0.0.0.0")
            .optPort(0)
            .optWarmupPredictions(1)
            .optSecurity(security)
            .build()
            .start()) {
      ManagedChannel mtls =
          Grpc.newChannelBuilderForAddress(
                  "localhost",
                  server.port(),
                  new ClientSecurity(
                          Optional.of(
                              new TlsClientConfig(
                                  Optional.of(dir.resolve("ca.pem")),
                                  Optional.of(dir.resolve("client.pem")),
                                  Optional.of(dir.resolve("client-key.pem")))),
                          Optional.of(BearerToken.of(token)))
                      .channelCredentials())
              .build();
      ManagedChannel noCert =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1",
                  server.port(),
                  new ClientSecurity(
                          Optional.of(TlsClientConfig.trusting(dir.resolve("ca.pem"))),
                          Optional.of(BearerToken.of(token)))
                      .channelCredentials())
              .build();
      try {
        assertEquals(
            "hold",
            PolicyServiceGrpc.newBlockingStub(mtls)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .describe(DescribeRequest.getDefaultInstance())
                .getName());
        StatusRuntimeException e =
            org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () ->
                    PolicyServiceGrpc.newBlockingStub(noCert)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .describe(DescribeRequest.getDefaultInstance()));
        assertEquals(
            Status.Code.UNAVAILABLE,
            e.getStatus().getCode(),
            "mutual TLS: no client certificate, no call");
      } finally {
        mtls.shutdownNow();
        noCert.shutdownNow();
      }
    }
  }

  @Test
  void theConfigAndTokensFileExamplesAreValid() throws Exception {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    Path config = dir.resolve("mantis.yaml");
    Files.writeString(config, block(doc, "## Configuration"));
    MantisConfig c = MantisConfig.load(config);
    assertTrue(c.security().tls().orElseThrow().mutual());
    assertEquals(Role.ADMIN, c.security().tokens().get(0).role());
    Path tokens = dir.resolve("tokens.yaml");
    Files.writeString(tokens, block(doc, "paste under `security: tokens:`"));
    assertEquals("lab-arm-1", TokenStore.load(tokens).entries().get(0).name());
  }
}
