package mantis.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenTest {
  @TempDir Path dir;

  @Test
  void aTokenFileGivesItsFirstNonBlankLineTrimmed() throws Exception {
    String t = TokenStore.newToken();
    Path f = dir.resolve("token");
    Files.writeString(f, "\n  " + t + "  \n");
    assertEquals(TokenStore.sha256Hex(t).substring(0, 12), BearerToken.fromFile(f).hashPrefix());
  }

  @Test
  void unusableTokenFilesAreNamed() throws Exception {
    Path f = dir.resolve("token");
    assertEquals(
        "token file " + f + ": no such file",
        assertThrows(IllegalArgumentException.class, () -> BearerToken.fromFile(f)).getMessage());
    Files.writeString(f, "\n \n");
    assertEquals(
        "token file " + f + ": empty",
        assertThrows(IllegalArgumentException.class, () -> BearerToken.fromFile(f)).getMessage());
    Files.writeString(f, "two words\n");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> BearerToken.fromFile(f))
            .getMessage()
            .startsWith("token file " + f + ": bearer token has a space"));
  }

  @Test
  void theFileWinsOverTheEnvironmentVariableAndNeitherMeansNoToken() throws Exception {
    String fromFile = TokenStore.newToken();
    String fromEnv = TokenStore.newToken();
    Path f = dir.resolve("token");
    Files.writeString(f, fromFile);
    Map<String, String> env = Map.of(BearerToken.ENV, fromEnv);
    assertEquals(
        BearerToken.of(fromFile).hashPrefix(),
        BearerToken.resolve(f, env).orElseThrow().hashPrefix());
    assertEquals(
        BearerToken.of(fromEnv).hashPrefix(),
        BearerToken.resolve(null, env).orElseThrow().hashPrefix());
    assertTrue(BearerToken.resolve(null, Map.of()).isEmpty());
    assertTrue(BearerToken.resolve(null, Map.of(BearerToken.ENV, "  ")).isEmpty());
  }

  @Test
  void toStringNeverShowsTheToken() {
    String t = TokenStore.newToken();
    assertFalse(BearerToken.of(t).toString().contains(t));
    assertFalse(BearerToken.of(t).toString().contains(t.substring(3, 12)));
  }

  @Test
  void loopbackAuthoritiesAreRecognisedWithoutNameLookups() {
    for (String a :
        List.of("localhost:50051", "127.0.0.1:1", "127.1.2.3:9", "[::1]:50051", "localhost")) {
      assertTrue(BearerToken.isLoopbackAuthority(a), a);
    }
    for (String a :
        List.of("10.0.0.7:50051", "robot.lab:50051", "[fe80::1]:5", "127.example.com:1", "")) {
      assertFalse(BearerToken.isLoopbackAuthority(a), a);
    }
  }

  @Test
  void theTokenIsNotSentInPlainTextToAHostOtherThanLoopbackUnlessAllowed() throws Exception {
    String t = TokenStore.newToken();
    AuthInterceptor auth =
        AuthInterceptor.builder()
            .setTokens(TokenStore.of(List.of(TokenEntry.forToken("op", Role.OPERATOR, t))))
            .build();
    NettyServerBuilder sb = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    for (ServerServiceDefinition s : FakeServices.all()) {
      sb.addService(ServerInterceptors.intercept(s, auth));
    }
    Server server = sb.build().start();
    ManagedChannel loopback =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    ManagedChannel remote =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
            .usePlaintext()
            .overrideAuthority("robot.lab:" + server.getPort())
            .build();
    try {
      assertTrue(
          FakeServices.call(
                  loopback,
                  FakeServices.PREDICT,
                  CallOptions.DEFAULT.withCallCredentials(BearerToken.of(t)))
              .startsWith("op|"));
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  FakeServices.call(
                      remote,
                      FakeServices.PREDICT,
                      CallOptions.DEFAULT.withCallCredentials(BearerToken.of(t))));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
      assertTrue(
          e.getStatus()
              .getDescription()
              .contains("refusing to send the bearer token in plain text to robot.lab"),
          e.getStatus().getDescription());
      assertEquals(0, auth.unauthenticatedCalls(), "the call never reached the server");
      assertTrue(
          FakeServices.call(
                  remote,
                  FakeServices.PREDICT,
                  CallOptions.DEFAULT.withCallCredentials(BearerToken.of(t).allowingPlaintext()))
              .startsWith("op|"));
    } finally {
      loopback.shutdownNow();
      remote.shutdownNow();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
