package mantis.security;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A client's TLS files: the CA that signed the server's certificate (empty: the JVM's default trust
 * store), and for mutual TLS the client's certificate and private key (both or neither).
 *
 * @param trustCa PEM CA certificate(s) the server's certificate must chain to; empty for the
 *     system's CAs
 * @param clientCert PEM client certificate chain for mTLS
 * @param clientKey PEM PKCS#8 private key of that certificate
 */
public record TlsClientConfig(
    Optional<Path> trustCa, Optional<Path> clientCert, Optional<Path> clientKey) {
  public TlsClientConfig {
    trustCa = trustCa == null ? Optional.empty() : trustCa;
    clientCert = clientCert == null ? Optional.empty() : clientCert;
    clientKey = clientKey == null ? Optional.empty() : clientKey;
    if (clientCert.isPresent() != clientKey.isPresent()) {
      throw new IllegalArgumentException(
          "a TLS client certificate and its key go together: give both (--tls-cert and "
              + "--tls-key) or neither");
    }
  }

  /** TLS trusting {@code trustCa}, without a client certificate. */
  public static TlsClientConfig trusting(Path trustCa) {
    return new TlsClientConfig(Optional.of(trustCa), Optional.empty(), Optional.empty());
  }

  /**
   * Reads and checks the files and returns gRPC channel credentials.
   *
   * @throws IllegalArgumentException naming the file that is missing, unreadable, not PEM or
   *     mismatched
   */
  public ChannelCredentials toCredentials() {
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
    try {
      if (trustCa.isPresent()) {
        byte[] ca = PemFiles.read(trustCa.get(), "TLS CA");
        PemFiles.certificates(ca, trustCa.get(), "TLS CA");
        b.trustManager(new ByteArrayInputStream(ca));
      }
      if (clientCert.isPresent()) {
        byte[] chainPem = PemFiles.read(clientCert.get(), "TLS client certificate");
        byte[] keyPem = PemFiles.read(clientKey.get(), "TLS client key");
        List<X509Certificate> chain =
            PemFiles.certificates(chainPem, clientCert.get(), "TLS client certificate");
        PemFiles.checkPair(
            PemFiles.privateKey(keyPem, clientKey.get(), "TLS client key"),
            chain.get(0),
            clientKey.get(),
            clientCert.get());
        b.keyManager(new ByteArrayInputStream(chainPem), new ByteArrayInputStream(keyPem));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("TLS client files: " + e.getMessage(), e);
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "tls("
        + trustCa.map(p -> "CA " + p).orElse("system CAs")
        + clientCert.map(p -> ", client cert " + p + " (mTLS)").orElse("")
        + ")";
  }
}
