package mantis.app;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.Optional;
import mantis.security.BearerToken;
import mantis.security.ClientSecurity;
import mantis.security.TlsClientConfig;
import picocli.CommandLine.Option;

/**
 * The flags of commands that dial a Mantis server over the network: a bearer token ({@code
 * --token-file} or the {@code MANTIS_TOKEN} environment variable) and TLS ({@code --tls-ca}, with
 * {@code --tls-cert}/{@code --tls-key} for mutual TLS).
 */
final class ClientSecurityOptions {
  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "Send the bearer token in FILE (its first line) on every call; default: $MANTIS_TOKEN if set.")
  Path tokenFile;

  @Option(
      names = "--tls-ca",
      paramLabel = "PEM",
      description = "Connect with TLS, trusting this CA certificate for the server's certificate.")
  Path tlsCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "Mutual TLS: this client's certificate chain (with --tls-key and --tls-ca).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "Mutual TLS: the private key of --tls-cert (PKCS#8).")
  Path tlsKey;

  @Option(
      names = "--insecure",
      description =
          "Send the token without TLS even to a host other than loopback (a server run with --insecure).")
  boolean insecure;

  /**
   * The client security these flags describe; TLS files are read and checked.
   *
   * @throws IllegalArgumentException naming the flag or file that is wrong
   */
  ClientSecurity resolve() {
    if ((tlsCert != null || tlsKey != null) && tlsCa == null) {
      throw new IllegalArgumentException("--tls-cert and --tls-key (mutual TLS) need --tls-ca too");
    }
    Optional<TlsClientConfig> tls =
        tlsCa == null
            ? Optional.empty()
            : Optional.of(
                new TlsClientConfig(
                    Optional.of(tlsCa), Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey)));
    Optional<BearerToken> token = BearerToken.resolve(tokenFile, System.getenv());
    if (insecure) {
      token = token.map(BearerToken::allowingPlaintext);
    }
    ClientSecurity sec = new ClientSecurity(tls, token);
    sec.channelCredentials(); // reads and checks the TLS files now, so errors come before any call
    return sec;
  }

  /** A channel to {@code host:port} with these credentials. */
  ManagedChannel channel(String host, int port) {
    return NettyChannelBuilder.forAddress(host, port, resolve().channelCredentials()).build();
  }
}
