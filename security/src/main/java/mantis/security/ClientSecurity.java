package mantis.security;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import java.util.Optional;

/**
 * How a client dials a Mantis server (or a bridge's ArmService): TLS or plain text, and a bearer
 * token or none.
 *
 * <pre>{@code
 * ClientSecurity sec = new ClientSecurity(Optional.of(TlsClientConfig.trusting(caPem)), BearerToken.resolve(file, System.getenv()));
 * ManagedChannel ch = Grpc.newChannelBuilderForAddress(host, port, sec.channelCredentials()).build();
 * }</pre>
 *
 * @param tls TLS files, or empty for plain text
 * @param token the token sent on every call, or empty
 */
public record ClientSecurity(Optional<TlsClientConfig> tls, Optional<BearerToken> token) {
  public ClientSecurity {
    tls = tls == null ? Optional.empty() : tls;
    token = token == null ? Optional.empty() : token;
  }

  /** Plain text, no token: a loopback server without tokens. */
  public static ClientSecurity none() {
    return new ClientSecurity(Optional.empty(), Optional.empty());
  }

  /**
   * Channel credentials: TLS (files read and checked now) or plain text, with the token on every
   * call.
   *
   * @throws IllegalArgumentException naming a TLS file that is missing or invalid
   */
  public ChannelCredentials channelCredentials() {
    ChannelCredentials base =
        tls.map(TlsClientConfig::toCredentials).orElseGet(InsecureChannelCredentials::create);
    return token
        .<ChannelCredentials>map(t -> CompositeChannelCredentials.create(base, t))
        .orElse(base);
  }

  @Override
  public String toString() {
    return tls.map(TlsClientConfig::toString).orElse("plain text")
        + token.map(t -> ", token " + t).orElse(", no token");
  }
}
