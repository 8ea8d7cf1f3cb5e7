package mantis.server.dashboard;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.regex.Pattern;
import mantis.server.teleop.ControlMode;
import mantis.server.teleop.Teleop;
import mantis.sim.TaskFamily;
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
 * /api/recordings/start}, {@code POST /api/recordings/stop}, {@code GET /api/recordings}, {@code GET
 * /api/recordings/NAME.zip}. Bad input answers 400 with {@code {"error": "..."}}; what the arm
 * cannot do (recording on a bridged arm: {@link UnsupportedOperationException}) answers 409 with
 * the reason in the same form. POSTs must send
 * {@code Content-Type: application/json} (a cross-site form cannot).
 *
 * <p>Access: bound to a loopback address no token is needed; bound to any other address every
 * {@code /api} path needs the token ({@code Authorization: Bearer T}, or the cookie set by opening
 * {@code /?token=T}), else 401; on loopback the {@code Host} header must name this machine (403
 * otherwise, against DNS rebinding). The constructor starts nothing; {@link #start()} binds.
 * The dashboard does not close its {@link Teleop}.
 */
public final class DashboardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  private static final String RESOURCES = "/mantis/server/dashboard/";
  private static final Pattern RECORDING_NAME = Pattern.compile("[A-Za-z0-9._-]+");
  /** Longest jog a single request may ask for; the page renews a held key well within it. */
  static final long MAX_HOLD_MS = 2000;
  static final long DEFAULT_HOLD_MS = 300;

  private final Teleop teleop;
  private final String host;
  private final int requestedPort;
  private final AccessPolicy access;
  private final ObjectMapper mapper;
  private Javalin app;

  private DashboardServer(Builder b) {
    this.teleop = b.teleop;
    this.host = b.host;
    this.requestedPort = b.port;
    this.access = AccessPolicy.forHost(b.host, b.token);
    this.mapper = newMapper();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the access settings a dashboard on {@code host} with {@code token} would get, as
   * {@link Builder#build()} does, so a command can refuse bad flags before starting anything else.
   *
   * @throws IllegalArgumentException for an unknown host, or an empty token on a non-loopback host
   */
  public static void checkAccessSettings(String host, String token) {
    AccessPolicy.forHost(host, token);
  }

  /** Binds and serves. */
  public synchronized DashboardServer start() {
    if (app != null) {
      throw new IllegalStateException("already started");
    }
    Javalin a = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.staticFiles.enableWebjars();
      config.jsonMapper(new JavalinJackson(mapper, false));
      // Jetty reuses header fields seen earlier on a connection and by default matches them ignoring
      // case: a token differing only in case would be read as the cached right one.
      config.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheCaseSensitive(true));
    });
    routes(a);
    a.start(host, requestedPort);
    app = a;
    log.info("teleop dashboard at {} ({})", url(),
        access.tokenRequired() ? "token required" : "loopback only, no token");
    return this;
  }

  /** The bound port (after {@link #start()}). */
  public int port() {
    if (app == null) {
      throw new IllegalStateException("not started");
    }
    return app.port();
  }

  /** The page's address, e.g. {@code http://127.0.0.1:8080/} (without the token). */
  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port() + "/";
  }

  /** Whether the API needs the token (the host is not a loopback address). */
  public boolean tokenRequired() {
    return access.tokenRequired();
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
    a.before("/api/*", this::checkAccess);
    a.exception(BadRequest.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
    // What this arm cannot do (e.g. recording on a bridged arm): 409 with the reason, which the page shows.
    a.exception(UnsupportedOperationException.class, (e, ctx) -> error(ctx, 409,
        e.getMessage() != null ? e.getMessage() : "not supported by this arm"));
    a.exception(Exception.class, (e, ctx) -> {
      log.warn("dashboard {} {} failed", ctx.method(), ctx.path(), e);
      error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
    });

    a.get("/", this::index);
    a.get("/app.js", ctx -> resource(ctx, "app.js", "text/javascript; charset=utf-8"));
    a.get("/app.css", ctx -> resource(ctx, "app.css", "text/css; charset=utf-8"));

    a.get("/api/state", ctx -> noCache(ctx).json(teleop.state()));
    a.get("/api/frame.png", ctx -> noCache(ctx).contentType("image/png").result(teleop.framePng()));
    a.post("/api/jog", ctx -> {
      JsonNode body = body(ctx);
      int joints = teleop.state().jointNames().size();
      List<Double> v = velocities(body.get("velocities"), joints);
      long holdMs = holdMillis(body.get("hold_ms"));
      boolean accepted = teleop.jog(v, holdMs);
      ctx.json(Map.of("accepted", accepted));
    });
    a.post("/api/mode", ctx -> {
      ControlMode mode = mode(body(ctx).get("mode"));
      teleop.setMode(mode);
      ctx.json(Map.of("mode", mode.name()));
    });
    a.post("/api/estop", ctx -> {
      JsonNode body = body(ctx);
      JsonNode reason = body.get("reason");
      teleop.estop(reason != null && reason.isTextual() && !reason.asText().isBlank()
          ? reason.asText() : "dashboard e-stop button");
      ctx.json(Map.of("estopped", true));
    });
    a.post("/api/reset", ctx -> {
      body(ctx);
      teleop.reset();
      ctx.json(Map.of("estopped", false));
    });
    a.post("/api/episode", ctx -> {
      JsonNode body = body(ctx);
      TaskFamily family = family(body.get("family"));
      long seed = seed(body.get("seed"));
      teleop.newEpisode(family, seed);
      ctx.json(Map.of("family", family.name(), "seed", seed));
    });
    a.post("/api/recordings/start", ctx -> {
      body(ctx);
      ctx.json(Map.of("name", teleop.startRecording()));
    });
    a.post("/api/recordings/stop", ctx -> {
      body(ctx);
      try {
        ctx.json(teleop.stopRecording());
      } catch (IllegalStateException e) {
        throw new BadRequest(e.getMessage() != null ? e.getMessage() : "no recording in progress");
      }
    });
    a.get("/api/recordings", ctx -> noCache(ctx).json(teleop.recordings()));
    a.get("/api/recordings/{file}", ctx -> {
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

  private void checkAccess(Context ctx) {
    if (!access.allowsHostHeader(ctx.header("Host"))) {
      error(ctx, 403, "this dashboard listens on loopback: open it as http://127.0.0.1:" + port() + "/ or localhost");
      ctx.skipRemainingHandlers();
      return;
    }
    // The Cookie header is parsed here, not through Jetty's per-connection cookie cache, so every
    // request's own header is what gets compared.
    if (!access.allows(ctx.header("Authorization"), AccessPolicy.cookieValue(ctx.req().getHeaders("Cookie")))) {
      error(ctx, 401, "this dashboard needs its token: send 'Authorization: Bearer TOKEN' or open /?token=TOKEN");
      ctx.skipRemainingHandlers();
      return;
    }
    if (ctx.method().name().equals("POST")) {
      String type = ctx.contentType();
      if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        error(ctx, 415, "POST " + ctx.path() + " needs Content-Type: application/json");
        ctx.skipRemainingHandlers();
      }
    }
  }

  private void index(Context ctx) {
    String t = ctx.queryParam("token");
    if (t != null && access.tokenRequired()) {
      if (access.matches(t)) {
        ctx.cookie(new Cookie(AccessPolicy.COOKIE, t, "/", -1, false, 0, true, null, null, SameSite.STRICT));
        ctx.redirect("/");
        return;
      }
      log.warn("dashboard opened with a wrong token from {}", ctx.ip());
    }
    resource(ctx, "index.html", "text/html; charset=utf-8");
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
      throw new BadRequest("'velocities' must be an array of " + joints + " numbers (rad/s, one per joint)");
    }
    if (node.size() != joints) {
      throw new BadRequest("'velocities' has " + node.size() + " entries; the arm has " + joints + " joints");
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

  static TaskFamily family(JsonNode node) {
    List<String> names = Arrays.stream(TaskFamily.values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toList();
    if (node == null || !node.isTextual()) {
      throw new BadRequest("'family' must be one of " + names);
    }
    try {
      return TaskFamily.valueOf(node.asText().trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new BadRequest("unknown family '" + node.asText() + "'; use one of " + names);
    }
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
    StdSerializer<Double> nanAsNull = new StdSerializer<>(Double.class) {
      @Override
      public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
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
    private int port = 8080;
    private String token;

    private Builder() {}

    /** The teleop session the page shows and drives (required). */
    public Builder setTeleop(Teleop teleop) {
      this.teleop = teleop;
      return this;
    }

    /** Bind address (default 127.0.0.1). Any non-loopback address requires a token. */
    public Builder optHost(String host) {
      this.host = host;
      return this;
    }

    /** Port (default 8080; 0 = any free port). */
    public Builder optPort(int port) {
      this.port = port;
      return this;
    }

    /**
     * The API token. Optional on loopback (then not checked); on any other address null means
     * "generate one" (read it back with {@link #token()}) and an empty one is refused.
     */
    public Builder optToken(String token) {
      this.token = token;
      return this;
    }

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
