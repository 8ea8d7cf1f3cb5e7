package mantis.teleop.dashboard;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import mantis.core.MonotonicClock;
import mantis.security.AuditEvent;
import mantis.security.AuditLog;
import mantis.security.Principal;
import mantis.security.Role;
import mantis.security.ServerSecurity;
import mantis.security.TlsServerConfig;
import mantis.security.TokenStore;
import mantis.teleop.ControlMode;
import mantis.teleop.Teleop;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teleop comparison dashboard: a page and a JSON API over one {@link Teleop}.
 *
 * <pre>{@code
 * try (DashboardServer dash = DashboardServer.builder().setTeleop(teleop).optPort(8080).build()) {
 *   dash.start();
 *   System.out.println("open " + dash.url());
 * }
 * }</pre>
 *
 * <p>API (JSON): {@code GET /api/state}, {@code GET /api/frame.png}, {@code POST /api/jog
 * {velocities:[rad/s..], hold_ms}}, {@code POST /api/mode {mode:"TELEOP"|"POLICY"}}, {@code POST
 * /api/estop}, {@code POST /api/reset}, {@code POST /api/episode {family, seed}}, {@code POST
 * /api/recordings/start}, {@code POST /api/recordings/stop}, {@code GET /api/recordings}, {@code
 * GET /api/recordings/NAME.zip}. Bad input answers 400 with {@code {"error": "..."}}; what the arm
 * cannot do (recording on a bridged arm: {@link UnsupportedOperationException}) answers 409 with
 * the reason in the same form. POSTs must send {@code Content-Type: application/json} (a cross-site
 * form cannot).
 *
 * <p>Access: every request's {@code Host} must name this dashboard (403 otherwise, against DNS
 * rebinding; see {@code AccessPolicy}). Only a plain local dashboard is open (bound to loopback, no
 * token given, no server tokens, no {@code --dashboard-allowed-hosts} name but loopback ones), and
 * it refuses (403) requests that came through a proxy ({@code Forwarded}, {@code X-Forwarded-*},
 * {@code X-Real-IP}, {@code Via}). Every other dashboard needs a login: {@code GET /} without one
 * answers a login page whose form posts the token to {@code POST /login}, which sets an {@code
 * HttpOnly; SameSite=Strict} session cookie (and {@code Secure} behind TLS) and redirects to the
 * page; every {@code /api} path needs that cookie or {@code Authorization: Bearer T}, else 401.
 * Wrong tokens are limited per client ({@link LoginThrottle}: 429 for a client that sent 5 wrong
 * tokens in a minute, never for one that has not; behind a reverse proxy on loopback the client is
 * the address in the proxy's {@code X-Forwarded-For}). A POST authenticated by the cookie must
 * carry this dashboard's own {@code Origin}; a cross-origin one is refused (403). Tokens in the
 * address ({@code ?token=}) are not accepted. When the arm does not answer (a bridged arm's
 * ArmService down, or refusing the dashboard's credentials: a {@link StatusRuntimeException}), the
 * request answers 503 (unreachable, timed out) or 502 (any other refusal) with the gRPC status and
 * its description, logged at most once per 10 s. The constructor starts nothing; {@link #start()}
 * binds. The dashboard does not close its {@link Teleop}.
 *
 * <p>Security ({@link Builder#optSecurity}, the gRPC server's {@link ServerSecurity}): with the
 * server's tokens the login and Bearer header take those tokens, on every bind, and each request
 * runs as the token's name and {@link Role} ({@link DashboardAction} lists what each role may do; a
 * request above it gets 403 naming the role needed). Without them the single dashboard token counts
 * as an admin, and a plain local dashboard (loopback, no token, no proxy named) is open (as {@value
 * Principal#LOCAL_NO_AUTH}, admin). With TLS files the dashboard serves HTTPS with the same
 * certificate; bound off loopback without TLS it refuses to start unless {@code --insecure} was
 * given. Logins, refused tokens and roles, and (through the {@link Teleop}) takeovers, e-stops,
 * resets, command sources and recordings go to the audit log.
 */
public final class DashboardServer implements AutoCloseable {
  /** The dashboard's port unless told otherwise. */
  public static final int DEFAULT_PORT = 8080;

  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  private static final String RESOURCES = "/mantis/teleop/dashboard/";
  private static final Pattern RECORDING_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /** Longest jog a single request may ask for; the page renews a held key well within it. */
  static final long MAX_HOLD_MS = 2000;

  static final long DEFAULT_HOLD_MS = 300;

  /** The principal name of the single dashboard token ({@code --dashboard-token}), an admin. */
  public static final String SHARED_TOKEN_NAME = "dashboard token";

  /**
   * At most one {@code AUTH_DENIED} audit line per this interval (the rest are counted in the
   * next).
   */
  static final long DENIAL_AUDIT_INTERVAL_NANOS = 10_000_000_000L;

  private static final String PRINCIPAL = "mantis.dashboard.principal";

  /**
   * At most one WARN per this interval for requests the arm refused (the rest are counted in the
   * next).
   */
  static final long ARM_ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;

  /**
   * Headers a reverse proxy adds: an open (loopback, no login) dashboard refuses requests carrying
   * one.
   */
  private static final List<String> PROXY_HEADERS =
      List.of(
          "Forwarded",
          "X-Forwarded-For",
          "X-Forwarded-Host",
          "X-Forwarded-Proto",
          "X-Real-IP",
          "Via");

  private final Teleop teleop;
  private final String host;
  private final int requestedPort;
  private final AccessPolicy access;
  private final LoginSessions sessions;
  private final LoginThrottle throttle;
  private final ObjectMapper mapper;
  private final TokenStore tokens;
  private final AuditLog audit;
  private final TlsServerConfig tls;
  private final List<String> warningBanner;
  private final MonotonicClock clock;
  private final Object denialLock = new Object();
  private boolean denialAudited;
  private long nextDenialAuditNanos;
  private long deniedSinceAudit;
  private final Object armErrorLock = new Object();
  private boolean armErrorLogged;
  private long nextArmErrorLogNanos;
  private long armErrorsSinceLog;
  private volatile boolean warnedOpenBehindProxy;
  private Javalin app;

  /** How a request proved who it is (and as whom), or why it did not. */
  private record Auth(Via via, Principal principal) {
    static final Auth NONE = new Auth(Via.NONE, null);
    static final Auth THROTTLED = new Auth(Via.THROTTLED, null);
  }

  /** How a request proved who it is, or why it did not. */
  private enum Via {
    /** Loopback bind without tokens: no token needed. */
    OPEN,
    /** A right {@code Authorization: Bearer} token. */
    BEARER,
    /** A live session cookie. */
    COOKIE,
    /** No credentials, a wrong token, or a stale cookie. */
    NONE,
    /** A token from an address that has used up its tries (Retry-After already set). */
    THROTTLED
  }

  private DashboardServer(Builder b) {
    this.teleop = b.teleop;
    this.host = b.host;
    this.requestedPort = b.port;
    this.tokens = b.security.tokens();
    this.audit = b.security.auditLog();
    this.tls = b.security.tls().orElse(null);
    this.clock = b.clock;
    this.access = AccessPolicy.forHost(b.host, b.token, b.allowedHosts, !tokens.isEmpty());
    this.warningBanner = exposure(b.host, access, tls != null, b.security.insecure());
    this.sessions =
        new LoginSessions(
            b.clock, LoginSessions.DEFAULT_TTL_NANOS, LoginSessions.DEFAULT_MAX_SESSIONS);
    this.throttle =
        new LoginThrottle(
            b.clock,
            LoginThrottle.DEFAULT_MAX_FAILURES,
            LoginThrottle.DEFAULT_WINDOW_NANOS,
            LoginThrottle.DEFAULT_MAX_TRACKED);
    this.mapper = newMapper();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the access settings a dashboard on {@code host} with {@code token} would get, as {@link
   * Builder#build()} does, so a command can refuse bad flags before starting anything else.
   *
   * @throws IllegalArgumentException for an unknown host, or an empty token on a non-loopback host
   */
  public static void checkAccessSettings(String host, String token) {
    AccessPolicy.forHost(host, token);
  }

  /**
   * As {@link #checkAccessSettings(String, String)}, with the extra names the {@code Host} header
   * may carry ({@link Builder#optAllowedHosts}).
   *
   * @throws IllegalArgumentException also for an allowed host that is not a host name or IP address
   */
  public static void checkAccessSettings(String host, String token, List<String> allowedHosts) {
    AccessPolicy.forHost(host, token, allowedHosts);
  }

  /**
   * Checks everything {@link Builder#build()} would with {@code security} (the gRPC server's
   * tokens, TLS files and {@code --insecure}): the access settings, a dashboard token given
   * together with role tokens, and the exposure rule. Returns the warning banner to print (empty
   * unless the dashboard would serve plain HTTP off loopback because of {@code --insecure}).
   *
   * @throws IllegalArgumentException with the reason and what to do, when the dashboard must not
   *     start
   */
  public static List<String> checkSettings(
      String host, String token, List<String> allowedHosts, ServerSecurity security) {
    Objects.requireNonNull(security, "security");
    AccessPolicy access =
        AccessPolicy.forHost(host, token, allowedHosts, !security.tokens().isEmpty());
    return exposure(host, access, security.tls().isPresent(), security.insecure());
  }

  /**
   * The exposure rule of the gRPC server ({@code mantis.security.ExposurePolicy}) for the
   * dashboard: a loopback bind may serve plain HTTP; any other bind needs TLS (its login always
   * needs a token), or {@code --insecure}, which gets the warning banner returned here.
   */
  private static List<String> exposure(
      String host, AccessPolicy access, boolean tls, boolean insecure) {
    if (access.loopback() || tls) {
      return List.of();
    }
    String h = host.trim();
    String what = access.wildcardOpenName() != null ? "every network interface (" + h + ")" : h;
    if (!insecure) {
      throw new IllegalArgumentException(
          "refusing to serve the teleop dashboard on "
              + what
              + " over plain HTTP: it is "
              + "reachable from other machines, and a token typed into its login page would cross the network in clear. "
              + "Give --tls-cert and --tls-key (the dashboard then serves HTTPS with the same certificate as gRPC), bind "
              + "it to 127.0.0.1 (--dashboard-host), or pass --insecure to serve it unprotected anyway");
    }
    String bar = "!".repeat(78);
    return List.of(
        bar,
        "!! WARNING: --insecure: the teleop dashboard on "
            + h
            + " is reachable from other machines",
        "!! - WITHOUT TLS: anyone on the network can read the tokens typed into its login page, take",
        "!!   the session cookie, and jog, take over or reset the arm as the person logged in",
        "!! Use this only on an isolated network. To secure it, add --tls-cert and --tls-key (HTTPS with",
        "!! the gRPC server's certificate, docs/DASHBOARD.md), or bind it to 127.0.0.1.",
        bar);
  }

  /** Binds and serves. */
  public synchronized DashboardServer start() {
    if (app != null) {
      throw new IllegalStateException("already started");
    }
    Javalin a =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.staticFiles.enableWebjars();
              config.jsonMapper(new JavalinJackson(mapper, false));
              // Jetty reuses header fields seen earlier on a connection and by default matches them
              // ignoring
              // case: a token differing only in case would be read as the cached right one.
              config.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheCaseSensitive(true));
              if (tls != null) {
                // HTTPS only: with a connector of its own, Javalin adds no plain-HTTP one.
                char[] password = keyStorePassword();
                KeyStore keys = tls.toKeyStore(password);
                config.jetty.addConnector(
                    (server, http) -> httpsConnector(server, http, keys, password));
              }
            });
    routes(a);
    a.start(host, requestedPort);
    app = a;
    log.info(
        "teleop dashboard at {} ({}{})",
        url(),
        tls != null ? "HTTPS, " : "",
        access.roleTokens()
            ? "the server's tokens and roles"
            : access.tokenRequired()
                ? "dashboard token required"
                    + (access.loopback() && access.proxied() ? ": reached through a proxy" : "")
                : "loopback only, no token");
    if (!warningBanner.isEmpty()) {
      log.warn(
          "INSECURE: the teleop dashboard on {} is reachable from other machines over plain HTTP (--insecure): "
              + "tokens typed into its login page cross the network in clear",
          host);
    }
    return this;
  }

  /** A TLS connector on the dashboard's address, serving HTTP/1.1 with the server's certificate. */
  private ServerConnector httpsConnector(
      Server server, HttpConfiguration http, KeyStore keys, char[] password) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(keys);
    ssl.setKeyStorePassword(new String(password));
    ssl.setCertAlias(TlsServerConfig.KEY_ALIAS);
    HttpConfiguration https = new HttpConfiguration(http);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // Which names the dashboard answers to is the Host check's business (AccessPolicy, with
    // --dashboard-allowed-hosts); clients check the certificate's names themselves.
    secure.setSniHostCheck(false);
    https.addCustomizer(secure);
    ServerConnector c =
        new ServerConnector(
            server,
            new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
            new HttpConnectionFactory(https));
    c.setHost(host);
    c.setPort(requestedPort);
    return c;
  }

  /** A throw-away password for the in-memory key store (never written anywhere). */
  private static char[] keyStorePassword() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b).toCharArray();
  }

  /** The bound port (after {@link #start()}). */
  public int port() {
    if (app == null) {
      throw new IllegalStateException("not started");
    }
    return app.port();
  }

  /**
   * The page's address, e.g. {@code http://127.0.0.1:8080/}; on a wildcard bind ({@code 0.0.0.0})
   * this machine's host name (or 127.0.0.1 when it has none), which the {@code Host} check accepts.
   */
  public String url() {
    String name = access.wildcardOpenName();
    String h = name != null ? name : host.trim();
    h = h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
    return (tls != null ? "https://" : "http://") + h + ":" + port() + "/";
  }

  /**
   * Whether the API needs a token: the host is not a loopback address, the server has tokens, a
   * dashboard token was given, or an allowed host name other than loopback ones (a proxy) was
   * given.
   */
  public boolean tokenRequired() {
    return access.tokenRequired();
  }

  /**
   * Whether people log in with the server's tokens (and get their roles) instead of one dashboard
   * token.
   */
  public boolean roleTokens() {
    return access.roleTokens();
  }

  /** Whether the dashboard serves HTTPS. */
  public boolean tls() {
    return tls != null;
  }

  /** The {@code --insecure} warning to print (plain HTTP off loopback), or empty. */
  public List<String> warningBanner() {
    return warningBanner;
  }

  /** The token the API accepts (given or generated), or null on a loopback bind without one. */
  public String token() {
    return access.token();
  }

  @Override
  public synchronized void close() {
    if (app != null) {
      app.stop();
      app = null;
    }
  }

  private void routes(Javalin a) {
    a.before(this::guard);
    a.exception(BadRequest.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
    // What this arm cannot do (e.g. recording on a bridged arm): 409 with the reason, which the
    // page shows.
    a.exception(
        UnsupportedOperationException.class,
        (e, ctx) ->
            error(ctx, 409, e.getMessage() != null ? e.getMessage() : "not supported by this arm"));
    // The arm did not answer or refused (a bridged arm's ArmService down, or refusing the
    // dashboard's token):
    // a gateway error with the arm's status, never a stack trace.
    a.exception(StatusRuntimeException.class, (e, ctx) -> armError(ctx, e.getStatus()));
    a.exception(
        Exception.class,
        (e, ctx) -> {
          log.warn("dashboard {} {} failed", ctx.method(), ctx.path(), e);
          error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
        });

    a.get("/", this::index);
    a.post("/login", this::login);
    a.post("/logout", this::logout);
    a.get("/app.js", ctx -> resource(ctx, "app.js", "text/javascript; charset=utf-8"));
    a.get("/login.js", ctx -> resource(ctx, "login.js", "text/javascript; charset=utf-8"));
    a.get("/app.css", ctx -> resource(ctx, "app.css", "text/css; charset=utf-8"));

    a.get(
        "/api/session",
        ctx -> {
          Principal p = who(ctx);
          noCache(ctx)
              .json(
                  Map.of(
                      "name",
                      p.name(),
                      "role",
                      p.role().configName(),
                      "login",
                      access.tokenRequired(),
                      "tls",
                      tls != null,
                      "may",
                      DashboardAction.allowedFor(p.role()).stream()
                          .map(DashboardAction::pageName)
                          .toList()));
        });
    a.get("/api/state", ctx -> noCache(ctx).json(teleop.state()));
    a.get("/api/frame.png", ctx -> noCache(ctx).contentType("image/png").result(teleop.framePng()));
    a.post(
        "/api/jog",
        ctx -> {
          JsonNode body = body(ctx);
          int joints = teleop.state().jointNames().size();
          List<Double> v = velocities(body.get("velocities"), joints);
          long holdMs = holdMillis(body.get("hold_ms"));
          boolean accepted = teleop.jog(v, holdMs, who(ctx));
          ctx.json(Map.of("accepted", accepted));
        });
    a.post(
        "/api/mode",
        ctx -> {
          ControlMode mode = mode(body(ctx).get("mode"));
          teleop.setMode(mode, who(ctx));
          ctx.json(Map.of("mode", mode.name()));
        });
    a.post(
        "/api/estop",
        ctx -> {
          JsonNode body = body(ctx);
          JsonNode reason = body.get("reason");
          teleop.estop(
              reason != null && reason.isTextual() && !reason.asText().isBlank()
                  ? reason.asText()
                  : "dashboard e-stop button",
              who(ctx));
          ctx.json(Map.of("estopped", true));
        });
    a.post(
        "/api/reset",
        ctx -> {
          body(ctx);
          teleop.reset(who(ctx));
          ctx.json(Map.of("estopped", false));
        });
    a.post(
        "/api/episode",
        ctx -> {
          JsonNode body = body(ctx);
          String family = family(body.get("family"), teleop.tasks());
          long seed = seed(body.get("seed"));
          teleop.newEpisode(family, seed, who(ctx));
          ctx.json(Map.of("family", family, "seed", seed));
        });
    a.post(
        "/api/recordings/start",
        ctx -> {
          body(ctx);
          ctx.json(Map.of("name", teleop.startRecording(who(ctx))));
        });
    a.post(
        "/api/recordings/stop",
        ctx -> {
          body(ctx);
          try {
            ctx.json(teleop.stopRecording(who(ctx)));
          } catch (IllegalStateException e) {
            throw new BadRequest(
                e.getMessage() != null ? e.getMessage() : "no recording in progress");
          }
        });
    a.get("/api/recordings", ctx -> noCache(ctx).json(teleop.recordings()));
    a.get(
        "/api/recordings/{file}",
        ctx -> {
          String file = ctx.pathParam("file");
          if (!file.endsWith(".zip")) {
            throw new BadRequest("recordings download as NAME.zip, got '" + file + "'");
          }
          String name = file.substring(0, file.length() - 4);
          if (!RECORDING_NAME.matcher(name).matches()) {
            throw new BadRequest("bad recording name '" + name + "': use [A-Za-z0-9._-]+");
          }
          if (teleop.recordings().stream().noneMatch(r -> r.name().equals(name))) {
            error(ctx, 404, "no recording named '" + name + "'");
            return;
          }
          ctx.contentType("application/zip");
          ctx.header("Content-Disposition", "attachment; filename=\"" + name + ".zip\"");
          try {
            teleop.writeRecordingZip(name, ctx.outputStream());
          } catch (NoSuchElementException e) {
            error(ctx, 404, "no recording named '" + name + "'");
          }
        });
  }

  /** Runs before every request: security headers, the Host check, and the /api access rules. */
  private void guard(Context ctx) {
    // No Referer to any other site. Not "no-referrer": under it browsers send "Origin: null" with
    // the
    // login form's POST (a navigation's Origin follows the referrer policy), which the Origin check
    // refuses.
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header(
        "X-Frame-Options", "DENY"); // no clickjacking of the e-stop, reset or takeover buttons
    ctx.header("Content-Security-Policy", "frame-ancestors 'none'");
    String hostHeader = ctx.header("Host");
    if (!access.allowsHostHeader(hostHeader)) {
      String shown = hostHeader == null ? "(none)" : "'" + truncate(hostHeader, 80) + "'";
      String message =
          "this dashboard does not answer to the host name "
              + shown
              + " (DNS rebinding protection): open it as "
              + url()
              + " or by one of: "
              + access.describeHostNames()
              + "; add a name with --dashboard-allowed-hosts";
      if (ctx.path().startsWith("/api/")) {
        error(ctx, 403, message);
      } else {
        ctx.status(403).contentType("text/plain; charset=utf-8").result(message + "\n");
      }
      ctx.skipRemainingHandlers();
      return;
    }
    if (!access.tokenRequired()) {
      String header = proxyHeader(ctx);
      if (header != null) {
        String message =
            "this dashboard is open without a login because it is bound to loopback, but this request "
                + "came through a proxy ("
                + header
                + "), so it may come from another machine: start the dashboard with "
                + "--dashboard-allowed-hosts naming the proxy's host name (then it asks for a login) or with "
                + "--dashboard-token-file";
        if (ctx.path().startsWith("/api/")) {
          error(ctx, 403, message);
        } else {
          ctx.status(403).contentType("text/plain; charset=utf-8").result(message + "\n");
        }
        warnOpenBehindProxy(header);
        ctx.skipRemainingHandlers();
        return;
      }
    }
    if (!ctx.path().startsWith("/api/")) {
      return;
    }
    Auth auth = authenticate(ctx);
    Via via = auth.via();
    if (via == Via.NONE) {
      error(
          ctx,
          401,
          "this dashboard needs "
              + (access.roleTokens() ? "one of the server's tokens" : "its token")
              + ": log in at "
              + url()
              + " (the page asks for it) or send 'Authorization: Bearer TOKEN'");
      ctx.skipRemainingHandlers();
      return;
    }
    if (via == Via.THROTTLED) {
      error(
          ctx,
          429,
          "too many wrong tokens from "
              + client(ctx)
              + ": try again in "
              + ctx.res().getHeader("Retry-After")
              + " s");
      ctx.skipRemainingHandlers();
      return;
    }
    if (ctx.method().name().equals("POST")) {
      String type = ctx.contentType();
      if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        error(ctx, 415, "POST " + ctx.path() + " needs Content-Type: application/json");
        ctx.skipRemainingHandlers();
        return;
      }
      String refusal = crossOriginRefusal(ctx, via == Via.COOKIE);
      if (refusal != null) {
        error(ctx, 403, refusal);
        ctx.skipRemainingHandlers();
        return;
      }
    }
    Principal who = auth.principal();
    DashboardAction action = DashboardAction.of(ctx.method().name(), ctx.path());
    if (!action.allows(who.role())) {
      String message = action.refusal(ctx.method().name(), ctx.path(), who.name(), who.role());
      auditDenied(
          AuditEvent.of(AuditEvent.AUTH_DENIED)
              .principal(who)
              .detail("PERMISSION_DENIED " + message));
      log.debug("dashboard: {}", message);
      error(ctx, 403, message);
      ctx.skipRemainingHandlers();
      return;
    }
    ctx.attribute(PRINCIPAL, who);
  }

  /** The principal a request passed the guard as. */
  private static Principal who(Context ctx) {
    Principal p = ctx.attribute(PRINCIPAL);
    if (p == null) {
      throw new IllegalStateException(
          "no principal: " + ctx.path() + " did not pass the access guard");
    }
    return p;
  }

  /**
   * The client's address and port, as the gRPC audit lines write peers ({@code 10.0.0.7:51234}).
   */
  private static String peer(Context ctx) {
    String addr = ctx.req().getRemoteAddr();
    if (addr == null) {
      return "";
    }
    return (addr.contains(":") ? "[" + addr + "]" : addr) + ":" + ctx.req().getRemotePort();
  }

  /**
   * The principal of a presented token: with the server's tokens, the token's name and role; else
   * the single dashboard token, an admin. Constant-time either way.
   */
  private Optional<Principal> principalFor(String presented, String peer) {
    if (access.roleTokens()) {
      return tokens.authenticate(presented).map(e -> new Principal(e.name(), e.role(), peer));
    }
    return access.matches(presented)
        ? Optional.of(new Principal(SHARED_TOKEN_NAME, Role.ADMIN, peer))
        : Optional.empty();
  }

  /**
   * Writes an {@code AUTH_DENIED} line, at most one per {@link #DENIAL_AUDIT_INTERVAL_NANOS}, with
   * the count held back.
   */
  private void auditDenied(AuditEvent event) {
    long held;
    synchronized (denialLock) {
      long now = clock.nanoTime();
      if (denialAudited && now - nextDenialAuditNanos < 0) {
        deniedSinceAudit++;
        return;
      }
      denialAudited = true;
      nextDenialAuditNanos = now + DENIAL_AUDIT_INTERVAL_NANOS;
      held = deniedSinceAudit;
      deniedSinceAudit = 0;
    }
    audit.record(event.field("via", "teleop dashboard").field("suppressed", held));
  }

  /**
   * How the request proves who it is. A request with an {@code Authorization} header is judged by
   * it alone: a wrong token counts against the client address, and an address out of tries gets
   * {@link Via#THROTTLED} (with {@code Retry-After} set) whatever it sends.
   */
  private Auth authenticate(Context ctx) {
    String peer = peer(ctx);
    if (!access.tokenRequired()) {
      return new Auth(Via.OPEN, new Principal(Principal.LOCAL_NO_AUTH, Role.ADMIN, peer));
    }
    String authorization = ctx.header("Authorization");
    if (authorization != null) {
      long waitNanos = throttle.retryAfterNanos(client(ctx));
      if (waitNanos > 0) {
        tooManyTries(ctx, waitNanos);
        return Auth.THROTTLED;
      }
      Optional<Principal> p = principalFor(AccessPolicy.bearer(authorization), peer);
      if (p.isPresent()) {
        return new Auth(Via.BEARER, p.get());
      }
      wrongToken(ctx, "Authorization header");
      return Auth.NONE;
    }
    // The Cookie header is parsed here, not through Jetty's per-connection cookie cache, so every
    // request's own header is what gets compared.
    for (String id : AccessPolicy.cookieValues(ctx.req().getHeaders("Cookie"))) {
      Optional<LoginSessions.Session> s = sessions.lookup(id);
      if (s.isPresent()) {
        return new Auth(Via.COOKIE, new Principal(s.get().name(), s.get().role(), peer));
      }
    }
    return Auth.NONE;
  }

  /**
   * Why a state-changing request must be refused as cross-site, or null when it may go on: a {@code
   * Sec-Fetch-Site} other than same-origin (or none: typed by the user), an {@code Origin} that is
   * not this dashboard's, or, for a request authenticated by the cookie, no {@code Origin} at all.
   */
  private String crossOriginRefusal(Context ctx, boolean cookieAuthenticated) {
    String site = ctx.header("Sec-Fetch-Site");
    if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
      return "cross-site request refused (Sec-Fetch-Site: " + truncate(site, 20) + ")";
    }
    String origin = ctx.header("Origin");
    if (origin != null) {
      return access.allowsOrigin(origin, ctx.header("Host"))
          ? null
          : "cross-origin request refused: Origin '"
              + truncate(origin, 80)
              + "' is not this dashboard ("
              + url()
              + "); a proxy's name can be added with --dashboard-allowed-hosts";
    }
    return cookieAuthenticated
        ? "a request authenticated by the login cookie must carry an Origin header (browsers send one); "
            + "scripts send 'Authorization: Bearer TOKEN' instead"
        : null;
  }

  private void wrongToken(Context ctx, String where) {
    String client = client(ctx);
    LoginThrottle.Failure failure = throttle.recordWrongToken(client);
    boolean limited = failure != LoginThrottle.Failure.COUNTED;
    if (failure == LoginThrottle.Failure.GLOBAL_LIMITED) {
      log.warn(
          "dashboard: more than {} wrong tokens within {} s from {} clients: someone may be guessing; until the "
              + "minute is over each client that sends a wrong token is refused after its first (clients without a wrong "
              + "token, and people logged in, are not affected)",
          throttle.maxGlobalFailures(),
          seconds(throttle.windowNanos()),
          throttle.globalClients());
    } else if (limited) {
      log.warn(
          "dashboard: {} wrong tokens from {} ({}); refusing that client for up to {} s",
          throttle.maxFailures(),
          client,
          where,
          seconds(throttle.windowNanos()));
    } else {
      log.debug("dashboard: wrong token from {} ({})", client, where);
    }
    // Never the presented token, not even a part of it.
    auditDenied(
        AuditEvent.of(AuditEvent.AUTH_DENIED)
            .peer(peer(ctx))
            .detail(
                "UNAUTHENTICATED dashboard "
                    + where
                    + ": wrong token (not one of "
                    + (access.roleTokens() ? "the server's tokens" : "this dashboard's token")
                    + ")")
            .field("throttled", limited));
  }

  /**
   * The client a wrong token counts against ({@link LoginThrottle}): the connection's peer address,
   * or, when that peer is on loopback (a reverse proxy on this machine) and names the client in
   * {@code X-Forwarded-For} or {@code Forwarded}, the address in the last entry (the one the proxy
   * itself added). A remote peer's forwarding headers are ignored: anyone could write them to dodge
   * the limit.
   */
  static String client(Context ctx) {
    String peer = ctx.req().getRemoteAddr();
    InetAddress p =
        peer == null ? null : AccessPolicy.ipLiteral(stripBrackets(peer).toLowerCase(Locale.ROOT));
    if (p != null && p.isLoopbackAddress()) {
      String forwarded =
          forwardedClient(
              ctx.req().getHeaders("X-Forwarded-For"), ctx.req().getHeaders("Forwarded"));
      if (forwarded != null) {
        return forwarded;
      }
    }
    return peer == null ? "" : peer;
  }

  /**
   * The client address a proxy reports: the last entry of the last {@code X-Forwarded-For} header,
   * else the {@code for=} of the last element of the last {@code Forwarded} header; null when
   * neither is an IP address.
   */
  static String forwardedClient(Enumeration<String> xForwardedFor, Enumeration<String> forwarded) {
    String xff = last(xForwardedFor);
    if (xff != null) {
      String[] parts = xff.split(",");
      InetAddress a =
          AccessPolicy.ipLiteral(
              stripBrackets(parts[parts.length - 1].trim()).toLowerCase(Locale.ROOT));
      if (a != null) {
        return a.getHostAddress();
      }
    }
    String fwd = last(forwarded);
    if (fwd != null) {
      String[] elements = fwd.split(",");
      for (String pair : elements[elements.length - 1].split(";")) {
        String kv = pair.trim();
        if (kv.regionMatches(true, 0, "for=", 0, 4)) {
          String v = kv.substring(4).trim().replace("\"", "");
          if (v.startsWith("[")) {
            int end = v.indexOf(']');
            v = end > 0 ? v.substring(1, end) : v;
          } else if (v.indexOf(':') >= 0 && v.indexOf(':') == v.lastIndexOf(':')) {
            v = v.substring(0, v.indexOf(':')); // IPv4 with a port
          }
          InetAddress a = AccessPolicy.ipLiteral(v.toLowerCase(Locale.ROOT));
          return a == null ? null : a.getHostAddress();
        }
      }
    }
    return null;
  }

  private static String last(Enumeration<String> values) {
    String last = null;
    if (values != null) {
      while (values.hasMoreElements()) {
        String v = values.nextElement();
        if (v != null && !v.isBlank()) {
          last = v;
        }
      }
    }
    return last;
  }

  private static String stripBrackets(String s) {
    return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
  }

  /** The first reverse-proxy header the request carries, or null. */
  private static String proxyHeader(Context ctx) {
    for (String h : PROXY_HEADERS) {
      if (ctx.header(h) != null) {
        return h;
      }
    }
    return null;
  }

  private void warnOpenBehindProxy(String header) {
    if (!warnedOpenBehindProxy) {
      warnedOpenBehindProxy = true;
      log.warn(
          "dashboard: refused a request that came through a proxy ({}): this dashboard is open without a login "
              + "(loopback); name the proxy with --dashboard-allowed-hosts so that it asks for a login",
          header);
    }
  }

  /**
   * 503 (the arm is unreachable or did not answer in time) or 502 (it answered with another error,
   * e.g. it refused the dashboard's token) with the gRPC status and its description; a WARN without
   * a stack trace, at most once per {@link #ARM_ERROR_LOG_INTERVAL_NANOS} with the number held
   * back.
   */
  private void armError(Context ctx, Status status) {
    Status.Code code = status.getCode();
    boolean unreachable = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
    String description =
        status.getDescription() == null ? "" : ": " + truncate(status.getDescription(), 300);
    String what =
        ctx.path().equals("/api/estop")
            ? "the e-stop was NOT confirmed by the arm (latched on this "
                + "dashboard only; use the arm's own e-stop)"
            : ctx.method().name() + " " + ctx.path() + " did not reach the arm";
    String message = what + ": the arm's ArmService answered " + code + description;
    long held;
    synchronized (armErrorLock) {
      long now = clock.nanoTime();
      if (armErrorLogged && now - nextArmErrorLogNanos < 0) {
        armErrorsSinceLog++;
        held = -1;
      } else {
        armErrorLogged = true;
        nextArmErrorLogNanos = now + ARM_ERROR_LOG_INTERVAL_NANOS;
        held = armErrorsSinceLog;
        armErrorsSinceLog = 0;
      }
    }
    if (held >= 0) {
      log.warn(
          "dashboard {} {}: {} ({} more since the last such line)",
          ctx.method(),
          ctx.path(),
          message,
          held);
    }
    ctx.json(Map.of("error", message, "grpc_status", code.name()));
    ctx.status(unreachable ? 503 : 502);
  }

  private static void tooManyTries(Context ctx, long waitNanos) {
    ctx.header("Retry-After", String.valueOf(seconds(waitNanos)));
  }

  private static long seconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  private static String truncate(String s, int max) {
    String t = s.length() > max ? s.substring(0, max) + "..." : s;
    return t.replaceAll("[\\p{Cntrl}]", "?");
  }

  private void index(Context ctx) {
    boolean tokenInUrl = ctx.queryParam("token") != null;
    Auth auth = authenticate(ctx);
    Via via = auth.via();
    if (via == Via.OPEN) {
      dashboardPage(ctx, auth.principal(), false);
      return;
    }
    if (via == Via.THROTTLED) {
      loginPage(
          ctx,
          429,
          "Too many wrong tokens from your address: try again in "
              + ctx.res().getHeader("Retry-After")
              + " s.");
      return;
    }
    if (via == Via.COOKIE || via == Via.BEARER) {
      if (tokenInUrl) {
        ctx.status(303).header("Location", "/"); // keep the token out of this page's address
        return;
      }
      dashboardPage(ctx, auth.principal(), true);
      return;
    }
    loginPage(
        ctx,
        401,
        tokenInUrl
            ? "Tokens in the address are not accepted (they stay in browser history, proxy logs and Referer headers): "
                + "enter it here instead."
            : "");
  }

  /** The dashboard itself, telling the page who is logged in and what they may do. */
  private static void dashboardPage(Context ctx, Principal who, boolean login) {
    String may =
        String.join(
            " ",
            DashboardAction.allowedFor(who.role()).stream()
                .map(DashboardAction::pageName)
                .toList());
    page(
        ctx,
        200,
        "index.html",
        Map.of(
            "{{login}}",
            String.valueOf(login),
            "{{user}}",
            html(who.name()),
            "{{role}}",
            who.role().configName(),
            "{{may}}",
            may));
  }

  private void loginPage(Context ctx, int status, String message) {
    ctx.header("WWW-Authenticate", "Bearer realm=\"mantis-dashboard\"");
    String explain =
        access.roleTokens()
            ? "This dashboard takes the server's tokens (made with <code>mantis token create</code>): log in with yours. "
                + "Its role decides what you may do: a viewer watches and may press E-STOP, an operator also drives the "
                + "arm, an admin also resets the e-stop."
            : "This dashboard is reachable from other machines (bound off loopback, or behind a proxy), so it asks for "
                + "its access token: the one given with <code>--dashboard-token-file</code> or <code>--dashboard-token</code>, "
                + "or the one <code>mantis serve</code> printed when it started.";
    page(ctx, status, "login.html", Map.of("{{message}}", html(message), "{{explain}}", explain));
  }

  /**
   * {@code POST /login} with the form field {@code token}: a session cookie and 303 to the page.
   */
  private void login(Context ctx) {
    if (!access.tokenRequired()) {
      ctx.status(303).header("Location", "/");
      return;
    }
    String refusal = crossOriginRefusal(ctx, false);
    if (refusal != null) {
      loginPage(ctx, 403, refusal);
      return;
    }
    long waitNanos = throttle.retryAfterNanos(client(ctx));
    if (waitNanos > 0) {
      tooManyTries(ctx, waitNanos);
      loginPage(
          ctx,
          429,
          "Too many wrong tokens from your address: try again in " + seconds(waitNanos) + " s.");
      return;
    }
    String type = ctx.contentType();
    if (type == null
        || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      loginPage(
          ctx,
          415,
          "POST /login takes the form field 'token' (application/x-www-form-urlencoded); "
              + "scripts send 'Authorization: Bearer TOKEN' to /api instead.");
      return;
    }
    String token = ctx.formParam("token");
    if (token == null || token.isEmpty()) {
      loginPage(ctx, 400, "Enter the token.");
      return;
    }
    Optional<Principal> who = principalFor(token, peer(ctx));
    if (who.isEmpty()) {
      wrongToken(ctx, "login form");
      loginPage(ctx, 401, "Wrong token.");
      return;
    }
    throttle.recordSuccess(client(ctx));
    String id = sessions.create(new LoginSessions.Session(who.get().name(), who.get().role()));
    ctx.header(
        "Set-Cookie",
        AccessPolicy.COOKIE
            + "="
            + id
            + "; Path=/; Max-Age="
            + sessions.ttlSeconds()
            + "; HttpOnly; SameSite=Strict"
            + (servedOverTls(ctx) ? "; Secure" : ""));
    ctx.header("Cache-Control", "no-store");
    ctx.status(303).header("Location", "/");
    log.info(
        "dashboard: login of '{}' ({}) from {}",
        who.get().name(),
        who.get().role().configName(),
        client(ctx));
    audit.record(
        AuditEvent.of(AuditEvent.LOGIN)
            .principal(who.get())
            .detail("teleop dashboard login" + (servedOverTls(ctx) ? " over TLS" : ""))
            .field("via", "teleop dashboard"));
  }

  /** {@code POST /logout}: ends the session and clears the cookie. */
  private void logout(Context ctx) {
    String refusal = crossOriginRefusal(ctx, true);
    if (refusal != null) {
      ctx.status(403).contentType("text/plain; charset=utf-8").result(refusal + "\n");
      return;
    }
    for (String id : AccessPolicy.cookieValues(ctx.req().getHeaders("Cookie"))) {
      sessions
          .remove(id)
          .ifPresent(
              s ->
                  audit.record(
                      AuditEvent.of(AuditEvent.LOGOUT)
                          .principal(new Principal(s.name(), s.role(), peer(ctx)))
                          .detail("teleop dashboard logout")
                          .field("via", "teleop dashboard")));
    }
    ctx.header(
        "Set-Cookie",
        AccessPolicy.COOKIE
            + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
            + (servedOverTls(ctx) ? "; Secure" : ""));
    ctx.status(303).header("Location", "/");
  }

  /**
   * Whether the browser reached this page over TLS: the connection itself, or a TLS-terminating
   * proxy saying so ({@code X-Forwarded-Proto}, or an https {@code Origin}). A false "yes" only
   * makes the browser keep the cookie off plain HTTP.
   */
  private static boolean servedOverTls(Context ctx) {
    String origin = ctx.header("Origin");
    return ctx.req().isSecure()
        || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"))
        || (origin != null && origin.regionMatches(true, 0, "https://", 0, 8));
  }

  private static String html(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /**
   * A resource page with placeholders replaced (by fixed, escaped text: nothing from the request).
   */
  private static void page(Context ctx, int status, String name, Map<String, String> values) {
    String text;
    try (InputStream in = DashboardServer.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCES + name);
      }
      text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Map.Entry<String, String> e : values.entrySet()) {
      text = text.replace(e.getKey(), e.getValue());
    }
    noCache(ctx).status(status).contentType("text/html; charset=utf-8").result(text);
  }

  private static void resource(Context ctx, String name, String type) {
    try (InputStream in = DashboardServer.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCES + name);
      }
      noCache(ctx).contentType(type).result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Context noCache(Context ctx) {
    return ctx.header("Cache-Control", "no-store");
  }

  private static void error(Context ctx, int status, String message) {
    ctx.status(status).json(Map.of("error", message));
  }

  private JsonNode body(Context ctx) {
    String text = ctx.body();
    if (text.isBlank()) {
      return mapper.createObjectNode();
    }
    try {
      JsonNode node = mapper.readTree(text);
      if (node == null || !node.isObject()) {
        throw new BadRequest("the request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new BadRequest("the request body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  static List<Double> velocities(JsonNode node, int joints) {
    if (node == null || !node.isArray()) {
      throw new BadRequest(
          "'velocities' must be an array of " + joints + " numbers (rad/s, one per joint)");
    }
    if (node.size() != joints) {
      throw new BadRequest(
          "'velocities' has " + node.size() + " entries; the arm has " + joints + " joints");
    }
    List<Double> v = new ArrayList<>(joints);
    for (int i = 0; i < node.size(); i++) {
      JsonNode x = node.get(i);
      if (!x.isNumber() || !Double.isFinite(x.asDouble())) {
        throw new BadRequest("'velocities[" + i + "]' must be a finite number, got " + x);
      }
      v.add(x.asDouble());
    }
    return v;
  }

  static long holdMillis(JsonNode node) {
    if (node == null || node.isNull()) {
      return DEFAULT_HOLD_MS;
    }
    if (!node.canConvertToLong() || !node.isIntegralNumber()) {
      throw new BadRequest("'hold_ms' must be an integer number of milliseconds, got " + node);
    }
    long ms = node.asLong();
    if (ms < 1 || ms > MAX_HOLD_MS) {
      throw new BadRequest("'hold_ms' must be 1.." + MAX_HOLD_MS + ", got " + ms);
    }
    return ms;
  }

  static ControlMode mode(JsonNode node) {
    String modes = Arrays.toString(ControlMode.values());
    if (node == null || !node.isTextual()) {
      throw new BadRequest("'mode' must be one of " + modes);
    }
    try {
      return ControlMode.valueOf(node.asText().trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadRequest("unknown mode '" + node.asText() + "'; use one of " + modes);
    }
  }

  /**
   * The task named by {@code node} (any case, {@code -} for {@code _}), one of the session's {@code
   * tasks}.
   */
  static String family(JsonNode node, List<String> tasks) {
    List<String> names = tasks.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
    if (node == null || !node.isTextual()) {
      throw new BadRequest("'family' must be one of " + names);
    }
    String task = node.asText().trim().toUpperCase(Locale.ROOT).replace('-', '_');
    if (!tasks.contains(task)) {
      throw new BadRequest("unknown family '" + node.asText() + "'; use one of " + names);
    }
    return task;
  }

  static long seed(JsonNode node) {
    if (node == null || node.isNull()) {
      return 0;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.asLong();
    }
    if (node.isTextual()) {
      try {
        return Long.parseLong(node.asText().trim());
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new BadRequest("'seed' must be an integer, got " + node);
  }

  /** JSON for the page: records as objects, non-finite doubles (NaN agreement figures) as null. */
  static ObjectMapper newMapper() {
    SimpleModule finite = new SimpleModule("finite-doubles");
    StdSerializer<Double> nanAsNull =
        new StdSerializer<>(Double.class) {
          @Override
          public void serialize(Double value, JsonGenerator gen, SerializerProvider provider)
              throws IOException {
            if (value == null || !Double.isFinite(value)) {
              gen.writeNull();
            } else {
              gen.writeNumber(value);
            }
          }
        };
    finite.addSerializer(Double.class, nanAsNull);
    finite.addSerializer(double.class, nanAsNull);
    return new ObjectMapper().registerModule(finite);
  }

  /** 400: the request names the problem. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }

  /** Builds a {@link DashboardServer}. */
  public static final class Builder {
    private Teleop teleop;
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private String token;
    private List<String> allowedHosts = List.of();
    private MonotonicClock clock = MonotonicClock.system();
    private ServerSecurity security = ServerSecurity.none();

    private Builder() {}

    /**
     * The gRPC server's security (default {@link ServerSecurity#none()}): its tokens become the
     * dashboard's logins with their roles (then {@link #optToken} must be left out), its TLS files
     * make the dashboard serve HTTPS with the same certificate (the client CA is not used: people
     * log in with tokens), its audit log gets logins and refusals, and {@code --insecure} lets it
     * serve plain HTTP off loopback. Give the same audit log to the {@link Teleop} for the arm's
     * events.
     */
    public Builder optSecurity(ServerSecurity security) {
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /** The teleop session the page shows and drives (required). */
    public Builder setTeleop(Teleop teleop) {
      this.teleop = teleop;
      return this;
    }

    /**
     * Bind address (default 127.0.0.1). Any non-loopback address requires a token, and TLS or
     * {@code --insecure} ({@link #optSecurity}).
     */
    public Builder optHost(String host) {
      this.host = host;
      return this;
    }

    /** Port (default {@value DashboardServer#DEFAULT_PORT}; 0 = any free port). */
    public Builder optPort(int port) {
      this.port = port;
      return this;
    }

    /**
     * The single dashboard token (an admin), used when the server has no tokens of its own; at
     * least {@value AccessPolicy#MIN_TOKEN_CHARS} characters, no spaces. Given, it is checked on
     * every bind, loopback included. Null means none on a plain loopback bind, and "generate one"
     * (read it back with {@link #token()}) where a login is needed: off loopback, or with a
     * non-loopback name in {@link #optAllowedHosts} (a reverse proxy).
     */
    public Builder optToken(String token) {
      this.token = token;
      return this;
    }

    /**
     * Further names (or IP addresses) the {@code Host} header may carry, e.g. a reverse proxy's
     * name or a fully qualified name of this machine (default none: see {@link DashboardServer} for
     * the names always accepted). Exact names only: no ports, schemes or wildcards. Any name but a
     * loopback one makes a loopback dashboard ask for a login: other machines reach it through that
     * name.
     */
    public Builder optAllowedHosts(List<String> allowedHosts) {
      this.allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
      return this;
    }

    /** The clock for login sessions and the wrong-token limit (default the system's). */
    public Builder optClock(MonotonicClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the dashboard (binding nothing).
     *
     * @throws IllegalArgumentException for bad access settings, a dashboard token together with the
     *     server's tokens, or a non-loopback host without TLS and without {@code --insecure}
     */
    public DashboardServer build() {
      Objects.requireNonNull(teleop, "setTeleop is required");
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("dashboard host must not be empty");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("dashboard port must be 0..65535, got " + port);
      }
      return new DashboardServer(this);
    }
  }
}
