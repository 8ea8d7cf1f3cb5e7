package mantis.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest {
  @TempDir Path dir;
  private TestCertificates certs;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final String token = TokenStore.newToken();
  private final TokenStore tokens =
      TokenStore.of(List.of(TokenEntry.forToken("op", Role.OPERATOR, token)));

  @BeforeEach
  void makeCertificates() throws Exception {
    certs = TestCertificates.create(dir.resolve("pki"));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private int serve(TlsServerConfig tls) throws Exception {
    NettyServerBuilder sb =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), tls.toCredentials());
    AuthInterceptor auth = AuthInterceptor.builder().setTokens(tokens).build();
    for (ServerServiceDefinition s : FakeServices.all()) {
      sb.addService(ServerInterceptors.intercept(s, auth));
    }
    Server server = sb.build().start();
    open.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return server.getPort();
  }

  private ManagedChannel dial(String host, int port, ChannelCredentials creds) {
    ManagedChannel ch = Grpc.newChannelBuilderForAddress(host, port, creds).build();
    open.add(ch::shutdownNow);
    return ch;
  }

  private String predict(ManagedChannel ch) {
    return FakeServices.call(ch, FakeServices.PREDICT, CallOptions.DEFAULT);
  }

  @Test
  void aClientTrustingTheCaReachesATlsServerByNameAndByAddressWithItsToken() throws Exception {
    int port = serve(TlsServerConfig.of(certs.server.cert(), certs.server.key()));
    ClientSecurity sec =
        new ClientSecurity(
            Optional.of(TlsClientConfig.trusting(certs.ca)), Optional.of(BearerToken.of(token)));
    assertTrue(
        predict(dial("localhost", port, sec.channelCredentials())).startsWith("op|OPERATOR|"));
    assertTrue(
        predict(dial("127.0.0.1", port, sec.channelCredentials())).startsWith("op|OPERATOR|"));
    StatusRuntimeException noToken =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                predict(
                    dial(
                        "localhost",
                        port,
                        new ClientSecurity(
                                Optional.of(TlsClientConfig.trusting(certs.ca)), Optional.empty())
                            .channelCredentials())));
    assertEquals(Status.Code.UNAUTHENTICATED, noToken.getStatus().getCode());
  }

  @Test
  void aPlainTextClientOrOneTrustingAnotherCaCannotTalkToATlsServer() throws Exception {
    int port = serve(TlsServerConfig.of(certs.server.cert(), certs.server.key()));
    StatusRuntimeException plain =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                FakeServices.call(
                    dial("127.0.0.1", port, InsecureChannelCredentials.create()),
                    FakeServices.PREDICT,
                    CallOptions.DEFAULT.withCallCredentials(BearerToken.of(token))));
    assertEquals(Status.Code.UNAVAILABLE, plain.getStatus().getCode());
    TestCertificates other = TestCertificates.create(dir.resolve("other"), "Other CA");
    StatusRuntimeException untrusted =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                predict(
                    dial(
                        "localhost",
                        port,
                        new ClientSecurity(
                                Optional.of(TlsClientConfig.trusting(other.ca)),
                                Optional.of(BearerToken.of(token)))
                            .channelCredentials())));
    assertEquals(Status.Code.UNAVAILABLE, untrusted.getStatus().getCode());
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificateOrWithOneFromAnotherCa() throws Exception {
    int port =
        serve(new TlsServerConfig(certs.server.cert(), certs.server.key(), Optional.of(certs.ca)));
    TlsClientConfig withCert =
        new TlsClientConfig(
            Optional.of(certs.ca),
            Optional.of(certs.client.cert()),
            Optional.of(certs.client.key()));
    assertTrue(
        predict(
                dial(
                    "localhost",
                    port,
                    new ClientSecurity(Optional.of(withCert), Optional.of(BearerToken.of(token)))
                        .channelCredentials()))
            .startsWith("op|"));

    StatusRuntimeException noCert =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                predict(
                    dial(
                        "localhost",
                        port,
                        new ClientSecurity(
                                Optional.of(TlsClientConfig.trusting(certs.ca)),
                                Optional.of(BearerToken.of(token)))
                            .channelCredentials())));
    assertEquals(Status.Code.UNAVAILABLE, noCert.getStatus().getCode());

    TestCertificates other = TestCertificates.create(dir.resolve("other"), "Other CA");
    TlsClientConfig foreign =
        new TlsClientConfig(
            Optional.of(certs.ca),
            Optional.of(other.client.cert()),
            Optional.of(other.client.key()));
    StatusRuntimeException wrongCa =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                predict(
                    dial(
                        "localhost",
                        port,
                        new ClientSecurity(Optional.of(foreign), Optional.of(BearerToken.of(token)))
                            .channelCredentials())));
    assertEquals(Status.Code.UNAVAILABLE, wrongCa.getStatus().getCode());
  }

  @Test
  void missingUnreadableOrNonPemFilesAreNamedInTheError() throws Exception {
    Path missing = dir.resolve("nope.pem");
    assertEquals(
        "TLS certificate chain " + missing + ": no such file",
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(missing, certs.server.key()).toCredentials())
            .getMessage());
    assertEquals(
        "TLS private key " + missing + ": no such file",
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(certs.server.cert(), missing).toCredentials())
            .getMessage());

    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "hello\n");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(junk, certs.server.key()).toCredentials())
            .getMessage()
            .startsWith("TLS certificate chain " + junk + ": not a PEM certificate"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(certs.server.cert(), junk).toCredentials())
            .getMessage()
            .startsWith("TLS private key " + junk + ": not a PEM private key"));

    String swapped =
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(certs.server.key(), certs.server.cert()).toCredentials())
            .getMessage();
    assertTrue(swapped.contains("swap the certificate and key files?"), swapped);

    Path unreadable = dir.resolve("secret.pem");
    Files.copy(certs.server.key(), unreadable);
    unreadable.toFile().setReadable(false, false);
    if (!Files.isReadable(unreadable)) { // root reads everything
      assertEquals(
          "TLS private key " + unreadable + ": permission denied",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> TlsServerConfig.of(certs.server.cert(), unreadable).toCredentials())
              .getMessage());
    }

    assertEquals(
        "TLS CA " + missing + ": no such file",
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsClientConfig.trusting(missing).toCredentials())
            .getMessage());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new TlsClientConfig(
                        Optional.empty(), Optional.of(certs.client.cert()), Optional.empty()))
            .getMessage()
            .contains("give both (--tls-cert and --tls-key) or neither"));
  }

  @Test
  void aKeyThatIsNotTheCertificatesOrInTheOldFormatIsRefusedWithWhatToDo() throws Exception {
    String mismatch =
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(certs.server.cert(), certs.client.key()).toCredentials())
            .getMessage();
    assertEquals(
        "TLS private key "
            + certs.client.key()
            + " does not belong to the certificate "
            + certs.server.cert()
            + " (CN=localhost)",
        mismatch);

    Path pkcs1 = dir.resolve("rsa.pem");
    Files.writeString(
        pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    String old =
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(certs.server.cert(), pkcs1).toCredentials())
            .getMessage();
    assertTrue(old.contains("openssl pkcs8 -topk8 -nocrypt -in " + pkcs1), old);

    Path encrypted = dir.resolve("enc.pem");
    Files.writeString(
        encrypted,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(certs.server.cert(), encrypted).toCredentials())
            .getMessage()
            .contains("encrypted with a passphrase"));
  }

  @Test
  void anExpiredServerCertificateIsRefusedAndOneExpiringSoonIsWarnedAbout() throws Exception {
    TestCertificates.Pair expired = certs.issue("localhost", true, Duration.ofDays(-1), "expired");
    String msg =
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(expired.cert(), expired.key()).toCredentials())
            .getMessage();
    assertTrue(
        msg.startsWith(
            "TLS certificate chain "
                + expired.cert()
                + ": the server certificate (CN=localhost) "
                + "expired on "),
        msg);

    X509Certificate cert =
        PemFiles.certificates(Files.readAllBytes(certs.server.cert()), certs.server.cert(), "x")
            .get(0);
    Instant notAfter = cert.getNotAfter().toInstant();
    assertNull(PemFiles.validity(cert, notAfter.minus(Duration.ofDays(31))).warning());
    PemFiles.Validity soon =
        PemFiles.validity(cert, notAfter.minus(Duration.ofDays(10)).minusSeconds(5));
    assertFalse(soon.expired());
    assertTrue(soon.warning().startsWith("expires in 10 day(s)"), soon.warning());
    assertTrue(PemFiles.validity(cert, notAfter.plusSeconds(1)).expired());
    assertTrue(
        PemFiles.altNames(cert).contains("localhost")
            && PemFiles.altNames(cert).contains("127.0.0.1"));
  }

  @Test
  void aKeyStoreFromThePemFilesHoldsTheServersKeyAndChainAndIsCheckedLikeTheCredentials()
      throws Exception {
    char[] password = "throw-away".toCharArray();
    java.security.KeyStore ks =
        TlsServerConfig.of(certs.server.cert(), certs.server.key()).toKeyStore(password);
    assertEquals(List.of(TlsServerConfig.KEY_ALIAS), java.util.Collections.list(ks.aliases()));
    X509Certificate leaf = (X509Certificate) ks.getCertificate(TlsServerConfig.KEY_ALIAS);
    assertEquals("CN=localhost", leaf.getSubjectX500Principal().getName());
    java.security.Key key = ks.getKey(TlsServerConfig.KEY_ALIAS, password);
    assertEquals(leaf.getPublicKey().getAlgorithm(), key.getAlgorithm());

    String mismatch =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    TlsServerConfig.of(certs.server.cert(), certs.client.key())
                        .toKeyStore(password))
            .getMessage();
    assertEquals(
        "TLS private key "
            + certs.client.key()
            + " does not belong to the certificate "
            + certs.server.cert()
            + " (CN=localhost)",
        mismatch);
    TestCertificates.Pair expired =
        certs.issue("localhost", true, Duration.ofDays(-1), "expired-ks");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> TlsServerConfig.of(expired.cert(), expired.key()).toKeyStore(password))
            .getMessage()
            .contains("expired on "));
  }
}
