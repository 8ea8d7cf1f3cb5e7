package mantis.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates and authorises every gRPC call of the services it intercepts, and puts the caller's
 * {@link Principal} in the call's {@link Context} ({@link Principal#current()}).
 *
 * <p>Three modes:
 *
 * <ul>
 *   <li>{@link Builder#setTokens tokens}: the call must carry the metadata {@code authorization:
 *       Bearer <token>} with a token of the {@link TokenStore}; a missing, malformed or unknown
 *       token is refused with {@code UNAUTHENTICATED}; a token whose role is below what {@link
 *       MethodRoles} asks for the method is refused with {@code PERMISSION_DENIED} naming the
 *       method, the role needed and the caller's role. The token is never echoed or logged.
 *   <li>{@link Builder#setOpen open}: no credentials asked; every call runs as a principal of the
 *       given name with {@link Role#ADMIN}. Only for servers on loopback without tokens, or started
 *       with {@code --insecure}; see {@link ExposurePolicy}.
 *   <li>{@link Builder#setTrusted trusted}: every call runs as one fixed principal (a server's
 *       in-process listener, reachable only from inside its JVM), still limited by that principal's
 *       role.
 * </ul>
 *
 * <p>Refused calls are counted ({@link #unauthenticatedCalls()}, {@link #permissionDeniedCalls()},
 * and the {@link Builder#optOnDenied} callback for metrics) and logged at WARN, at most one line
 * per interval (default 10 s) with the number held back since the last line; the same lines go to
 * the audit log as {@link AuditEvent#AUTH_DENIED}.
 *
 * <pre>{@code
 * ServerInterceptor auth = AuthInterceptor.builder().setTokens(TokenStore.load(path)).optAuditLog(audit).build();
 * serverBuilder.addService(ServerInterceptors.intercept(service, auth));
 * }</pre>
 */
public final class AuthInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);

  /** The metadata key carrying {@code Bearer <token>}. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  static final String BEARER = "bearer ";

  private enum Mode {
    TOKENS,
    OPEN,
    TRUSTED
  }

  private final Mode mode;
  private final TokenStore tokens;
  private final String openName;
  private final Principal trusted;
  private final MethodRoles roles;
  private final AuditLog audit;
  private final BiConsumer<String, Status.Code> onDenied;
  private final RateLimit denialLog;
  private final AtomicLong unauthenticated = new AtomicLong();
  private final AtomicLong permissionDenied = new AtomicLong();

  private AuthInterceptor(Builder b) {
    this.mode = b.tokens != null ? Mode.TOKENS : b.openName != null ? Mode.OPEN : Mode.TRUSTED;
    this.tokens = b.tokens;
    this.openName = b.openName;
    this.trusted = b.trusted;
    this.roles = b.roles;
    this.audit = b.audit;
    this.onDenied = b.onDenied;
    this.denialLog = new RateLimit(b.nanoClock, b.logIntervalNanos);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    String peer = peer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    Principal principal;
    switch (mode) {
      case OPEN:
        principal = new Principal(openName, Role.ADMIN, peer);
        break;
      case TRUSTED:
        principal = trusted.peer().isEmpty() ? trusted.withPeer(peer) : trusted;
        break;
      default:
        String header = headers.get(AUTHORIZATION);
        if (header == null) {
          return deny(
              call,
              method,
              peer,
              null,
              Status.UNAUTHENTICATED.withDescription(
                  "no credentials: this server needs the metadata 'authorization: Bearer <token>' on every call "
                      + "(tokens are made with 'mantis token create'; the mantis clients read one from --token-file or "
                      + "MANTIS_TOKEN)"));
        }
        if (header.length() <= BEARER.length()
            || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
          return deny(
              call,
              method,
              peer,
              null,
              Status.UNAUTHENTICATED.withDescription(
                  "malformed authorization metadata: expected 'Bearer <token>'"));
        }
        Optional<TokenEntry> entry = tokens.authenticate(header.substring(BEARER.length()).trim());
        if (entry.isEmpty()) {
          return deny(
              call,
              method,
              peer,
              null,
              Status.UNAUTHENTICATED.withDescription(
                  "unknown bearer token: it is not one of this server's tokens (mistyped, from another server, or "
                      + "revoked)"));
        }
        principal = new Principal(entry.get().name(), entry.get().role(), peer);
        break;
    }
    Role needed = roles.required(method);
    if (!principal.role().includes(needed)) {
      return deny(
          call,
          method,
          peer,
          principal,
          Status.PERMISSION_DENIED.withDescription(
              method
                  + " needs role "
                  + needed.configName()
                  + " or higher; "
                  + (mode == Mode.TOKENS ? "token" : "caller")
                  + " '"
                  + principal.name()
                  + "' has role "
                  + principal.role().configName()));
    }
    Context ctx = Context.current().withValue(Principal.CONTEXT_KEY, principal);
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  private <Q, A> ServerCall.Listener<Q> deny(
      ServerCall<Q, A> call, String method, String peer, Principal who, Status status) {
    (status.getCode() == Status.Code.UNAUTHENTICATED ? unauthenticated : permissionDenied)
        .incrementAndGet();
    if (onDenied != null) {
      try {
        onDenied.accept(method, status.getCode());
      } catch (RuntimeException e) {
        log.warn("denial callback failed: {}", e.toString());
      }
    }
    long held = denialLog.tryAcquire();
    if (held >= 0) {
      String more = held == 0 ? "" : " (" + held + " more denied call(s) since the last such line)";
      log.warn(
          "denied {} {} from {}{}: {}{}",
          status.getCode(),
          method,
          peer,
          who == null ? "" : " as '" + who.name() + "'",
          status.getDescription(),
          more);
      AuditEvent e =
          AuditEvent.of(AuditEvent.AUTH_DENIED)
              .peer(peer)
              .detail(status.getCode() + " " + method + ": " + status.getDescription())
              .field("suppressed", held);
      audit.record(who == null ? e : e.principal(who));
    }
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** Calls refused with UNAUTHENTICATED so far. */
  public long unauthenticatedCalls() {
    return unauthenticated.get();
  }

  /** Calls refused with PERMISSION_DENIED so far. */
  public long permissionDeniedCalls() {
    return permissionDenied.get();
  }

  /**
   * A transport address as text: {@code 10.0.0.7:51234}, {@code [::1]:51234}, or its {@code
   * toString()}.
   */
  static String peer(SocketAddress address) {
    if (address == null) {
      return "";
    }
    if (address instanceof InetSocketAddress in && in.getAddress() != null) {
      String host = in.getAddress().getHostAddress();
      return (in.getAddress() instanceof Inet6Address ? "[" + host + "]" : host)
          + ":"
          + in.getPort();
    }
    return address.toString();
  }

  @Override
  public String toString() {
    return "AuthInterceptor["
        + mode.name().toLowerCase(Locale.ROOT)
        + (mode == Mode.TOKENS
            ? ", " + tokens.size() + " token(s)"
            : mode == Mode.OPEN ? ", as " + openName : ", as " + trusted)
        + "]";
  }

  /**
   * Builds an {@link AuthInterceptor}: exactly one of {@code setTokens}, {@code setOpen}, {@code
   * setTrusted}.
   */
  public static final class Builder {
    private TokenStore tokens;
    private String openName;
    private Principal trusted;
    private MethodRoles roles = MethodRoles.defaults();
    private AuditLog audit = AuditLog.none();
    private BiConsumer<String, Status.Code> onDenied;
    private LongSupplier nanoClock = System::nanoTime;
    private long logIntervalNanos = TimeUnit.SECONDS.toNanos(10);

    private Builder() {}

    /** Token mode: every call needs one of these tokens (at least one). */
    public Builder setTokens(TokenStore tokens) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /**
     * Open mode: no credentials; every call runs as {@code principalName} with {@link Role#ADMIN}
     * (for example {@value Principal#LOCAL_NO_AUTH}).
     */
    public Builder setOpen(String principalName) {
      this.openName = Objects.requireNonNull(principalName, "principalName");
      return this;
    }

    /**
     * Trusted mode: every call runs as {@code principal}, limited by its role (an in-process
     * listener).
     */
    public Builder setTrusted(Principal principal) {
      this.trusted = Objects.requireNonNull(principal, "principal");
      return this;
    }

    /** The role each method needs; default {@link MethodRoles#defaults()}. */
    public Builder optMethodRoles(MethodRoles roles) {
      this.roles = Objects.requireNonNull(roles, "roles");
      return this;
    }

    /** Where denied calls are recorded (rate-limited like the log); default none. */
    public Builder optAuditLog(AuditLog audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /**
     * Called with the full method name and code of every refused call (for metrics); must be fast.
     */
    public Builder optOnDenied(BiConsumer<String, Status.Code> onDenied) {
      this.onDenied = onDenied;
      return this;
    }

    /** At most one denial log line per this interval; default 10 s. */
    public Builder optDenialLogInterval(long duration, TimeUnit unit) {
      if (duration < 0) {
        throw new IllegalArgumentException("denial log interval must be >= 0");
      }
      this.logIntervalNanos = unit.toNanos(duration);
      return this;
    }

    /**
     * The monotonic clock for the log's rate limit, nanoseconds; default {@link System#nanoTime()}.
     */
    public Builder optNanoClock(LongSupplier nanoClock) {
      this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    public AuthInterceptor build() {
      int modes = (tokens != null ? 1 : 0) + (openName != null ? 1 : 0) + (trusted != null ? 1 : 0);
      if (modes != 1) {
        throw new IllegalStateException(
            "set exactly one of setTokens, setOpen, setTrusted (got " + modes + ")");
      }
      if (tokens != null && tokens.isEmpty()) {
        throw new IllegalArgumentException(
            "token mode needs at least one token; with none every call would be "
                + "refused (use setOpen for a loopback server without tokens)");
      }
      return new AuthInterceptor(this);
    }
  }
}
