package mantis.security;

import io.grpc.ServerCredentials;
import io.grpc.Status;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Everything a gRPC server needs to protect itself, in one value: the tokens it accepts, its TLS
 * files, its audit log, whether {@code --insecure} was given, and the role table. A server uses it
 * in three steps:
 *
 * <ol>
 *   <li>{@link #check} before binding: {@link ExposurePolicy} says whether this address may be
 *       served at all;
 *   <li>{@link #serverCredentials()} for the listener (TLS, or empty for plain text);
 *   <li>{@link #interceptor} on every service of that listener ({@link #inProcessInterceptor()} for
 *       an in-process one).
 * </ol>
 *
 * <p>{@link #none()} (no tokens, no TLS, no audit) is right only for loopback servers and tests;
 * the server still refuses other addresses with it. The server does not close the audit log:
 * whoever opened it does.
 */
public final class ServerSecurity {
  private static final ServerSecurity NONE = builder().build();

  private final TokenStore tokens;
  private final Optional<TlsServerConfig> tls;
  private final AuditLog audit;
  private final boolean insecure;
  private final MethodRoles roles;
  private ServerCredentials credentials;

  private ServerSecurity(Builder b) {
    this.tokens = b.tokens;
    this.tls = Optional.ofNullable(b.tls);
    this.audit = b.audit;
    this.insecure = b.insecure;
    this.roles = b.roles;
  }

  /** No tokens, no TLS, no audit log, not insecure: loopback only. */
  public static ServerSecurity none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether the server may listen on {@code address} ({@code host} is how it was given, for
   * messages).
   */
  public ExposurePolicy.Decision check(String host, InetAddress address) {
    return ExposurePolicy.decide(host, address, tls.isPresent(), !tokens.isEmpty(), insecure);
  }

  /**
   * Whether the server may listen on {@code host}, resolved here the way the server will bind it; a
   * name that does not resolve is refused.
   */
  public ExposurePolicy.Decision check(String host) {
    return ExposurePolicy.decide(host, tls.isPresent(), !tokens.isEmpty(), insecure);
  }

  /**
   * TLS credentials for the network listener, empty for plain text. The files are read and checked
   * on the first call (so a command can check them before it loads anything else); later calls
   * return the same credentials.
   *
   * @throws IllegalArgumentException naming a TLS file that is missing, invalid, mismatched or
   *     expired
   */
  public synchronized Optional<ServerCredentials> serverCredentials() {
    if (tls.isPresent() && credentials == null) {
      credentials = tls.get().toCredentials();
    }
    return Optional.ofNullable(credentials);
  }

  /**
   * The interceptor for the network listener: tokens enforced when there are any; otherwise open,
   * as {@value Principal#LOCAL_NO_AUTH} (or {@value Principal#INSECURE_NO_AUTH} when the decision
   * was {@link ExposurePolicy.Mode#INSECURE}).
   *
   * @param decision what {@link #check} said, or null for a listener without an address (in-process
   *     tests)
   * @param onDenied called for each refused call (metrics), or null
   */
  public AuthInterceptor interceptor(
      ExposurePolicy.Decision decision, BiConsumer<String, Status.Code> onDenied) {
    AuthInterceptor.Builder b =
        AuthInterceptor.builder().optMethodRoles(roles).optAuditLog(audit).optOnDenied(onDenied);
    if (!tokens.isEmpty()) {
      b.setTokens(tokens);
    } else {
      b.setOpen(
          decision != null && decision.mode() == ExposurePolicy.Mode.INSECURE
              ? Principal.INSECURE_NO_AUTH
              : Principal.LOCAL_NO_AUTH);
    }
    return b.build();
  }

  /**
   * The interceptor for an in-process listener: every call runs as {@value Principal#IN_PROCESS}
   * with {@link Role#OPERATOR}. Only code inside the server's JVM can open an in-process channel,
   * so it needs no token; the operator role still keeps it from methods that need admin.
   */
  public AuthInterceptor inProcessInterceptor() {
    return AuthInterceptor.builder()
        .setTrusted(new Principal(Principal.IN_PROCESS, Role.OPERATOR, Principal.IN_PROCESS))
        .optMethodRoles(roles)
        .optAuditLog(audit)
        .build();
  }

  /**
   * A copy writing to {@code audit}, sharing everything else (TLS credentials already read
   * included).
   */
  public synchronized ServerSecurity withAuditLog(AuditLog audit) {
    ServerSecurity copy =
        builder()
            .optTokens(tokens)
            .optTls(tls.orElse(null))
            .optAuditLog(audit)
            .optInsecure(insecure)
            .optMethodRoles(roles)
            .build();
    copy.credentials = credentials;
    return copy;
  }

  public TokenStore tokens() {
    return tokens;
  }

  public Optional<TlsServerConfig> tls() {
    return tls;
  }

  public AuditLog auditLog() {
    return audit;
  }

  public boolean insecure() {
    return insecure;
  }

  public MethodRoles methodRoles() {
    return roles;
  }

  @Override
  public String toString() {
    return "security("
        + (tokens.isEmpty() ? "no tokens" : tokens.size() + " token(s)")
        + ", "
        + tls.map(TlsServerConfig::toString).orElse("no TLS")
        + ", audit "
        + audit
        + (insecure ? ", --insecure" : "")
        + ")";
  }

  /** Builds a {@link ServerSecurity}; everything is optional. */
  public static final class Builder {
    private TokenStore tokens = TokenStore.empty();
    private TlsServerConfig tls;
    private AuditLog audit = AuditLog.none();
    private boolean insecure;
    private MethodRoles roles = MethodRoles.defaults();

    private Builder() {}

    /** Tokens every call must carry one of; default none (open on loopback). */
    public Builder optTokens(TokenStore tokens) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /** TLS for the network listener; default none (plain text). */
    public Builder optTls(TlsServerConfig tls) {
      this.tls = tls;
      return this;
    }

    /** Where security events go; default {@link AuditLog#none()}. */
    public Builder optAuditLog(AuditLog audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /**
     * Allow addresses other than loopback without TLS and tokens ({@code --insecure}); default
     * false.
     */
    public Builder optInsecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    /** The role each method needs; default {@link MethodRoles#defaults()}. */
    public Builder optMethodRoles(MethodRoles roles) {
      this.roles = Objects.requireNonNull(roles, "roles");
      return this;
    }

    public ServerSecurity build() {
      return new ServerSecurity(this);
    }
  }
}
