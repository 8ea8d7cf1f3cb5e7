package mantis.security;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One line of the {@link AuditLog}: what happened, who did it, from where, to which robot.
 * Immutable; each setter returns a copy, so an event reads as one expression:
 *
 * <pre>{@code
 * audit.record(AuditEvent.of(AuditEvent.ESTOP).principal(Principal.current()).robot("arm-1").detail(reason));
 * audit.record(AuditEvent.of(AuditEvent.TAKEOVER).principal(p).robot(id).detail("policy -> person").field("tick", 42));
 * }</pre>
 *
 * <p>The log adds the time. Strings are cut to {@value #MAX_TEXT_CHARS} characters (an e-stop
 * reason comes from the client). Event names are upper-case words ({@code [A-Z][A-Z0-9_]*}); the
 * constants here are the ones Mantis writes.
 */
public final class AuditEvent {
  /**
   * A Control stream (or ArmService command stream) started commanding a robot; {@code detail} says
   * which RPC.
   */
  public static final String COMMAND_SOURCE = "COMMAND_SOURCE";

  /** The stream that commanded a robot ended; {@code status} and {@code messages} extra fields. */
  public static final String COMMAND_SOURCE_END = "COMMAND_SOURCE_END";

  /** An e-stop latched; {@code detail} is the reason. */
  public static final String ESTOP = "ESTOP";

  /** A latched e-stop was cleared. */
  public static final String RESET = "RESET";

  /** An arm was told to hold on request. */
  public static final String HOLD = "HOLD";

  /** Control passed between a person and the policy (teleop dashboard). */
  public static final String TAKEOVER = "TAKEOVER";

  /**
   * A call was refused (UNAUTHENTICATED or PERMISSION_DENIED); rate-limited, with a {@code
   * suppressed} count.
   */
  public static final String AUTH_DENIED = "AUTH_DENIED";

  /**
   * A server started: {@code detail} is the bind address, extra fields {@code tls} and {@code
   * mode}.
   */
  public static final String SERVER_START = "SERVER_START";

  /** A server stopped. */
  public static final String SERVER_STOP = "SERVER_STOP";

  /**
   * A person logged in (teleop dashboard); failed logins are {@link #AUTH_DENIED}. Never carries
   * the token.
   */
  public static final String LOGIN = "LOGIN";

  /** A person logged out (teleop dashboard). */
  public static final String LOGOUT = "LOGOUT";

  /** A recording of an episode started (teleop dashboard); {@code detail} is its name. */
  public static final String RECORDING_START = "RECORDING_START";

  /** A recording finished; {@code detail} is its name. */
  public static final String RECORDING_STOP = "RECORDING_STOP";

  /** Longest string value kept, characters. */
  public static final int MAX_TEXT_CHARS = 1024;

  /** The fields every line has (in this order); extra fields may not reuse these names. */
  public static final Set<String> CORE_FIELDS =
      Set.of("time", "event", "principal", "role", "peer", "robot_id", "detail");

  private static final Pattern EVENT = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
  private static final Pattern FIELD = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private final String event;
  private final String principal;
  private final Role role;
  private final String peer;
  private final String robotId;
  private final String detail;
  private final Map<String, Object> extra;

  private AuditEvent(
      String event,
      String principal,
      Role role,
      String peer,
      String robotId,
      String detail,
      Map<String, Object> extra) {
    this.event = event;
    this.principal = principal;
    this.role = role;
    this.peer = peer;
    this.robotId = robotId;
    this.detail = detail;
    this.extra = extra;
  }

  /**
   * A new event with nothing but its name.
   *
   * @throws IllegalArgumentException unless the name is an upper-case word such as {@code ESTOP}
   */
  public static AuditEvent of(String event) {
    if (event == null || !EVENT.matcher(event).matches()) {
      throw new IllegalArgumentException(
          "audit event name must be an upper-case word like ESTOP, got '" + event + "'");
    }
    return new AuditEvent(event, null, null, null, null, null, Map.of());
  }

  /**
   * Who did it: the principal's name and role, and its peer unless {@link #peer(String)} set one.
   */
  public AuditEvent principal(Principal p) {
    Objects.requireNonNull(p, "principal");
    return new AuditEvent(
        event,
        cut(p.name()),
        p.role(),
        peer != null ? peer : emptyToNull(p.peer()),
        robotId,
        detail,
        extra);
  }

  /** Where from: a network address ({@code 10.0.0.7:51234}) or a description. */
  public AuditEvent peer(String v) {
    return new AuditEvent(event, principal, role, cut(v), robotId, detail, extra);
  }

  /** Which robot. */
  public AuditEvent robot(String id) {
    return new AuditEvent(event, principal, role, peer, cut(id), detail, extra);
  }

  /** Free text: a reason, a bind address, a method. */
  public AuditEvent detail(String v) {
    return new AuditEvent(event, principal, role, peer, robotId, cut(v), extra);
  }

  /**
   * An extra field: a lower-case name ({@code [a-z][a-z0-9_]*}, not one of {@link #CORE_FIELDS})
   * and a String, Number or Boolean value (anything else is written as its {@code toString()});
   * null leaves the field out.
   */
  public AuditEvent field(String name, Object value) {
    if (name == null || !FIELD.matcher(name).matches() || CORE_FIELDS.contains(name)) {
      throw new IllegalArgumentException(
          "audit field name must be a lower-case word other than "
              + CORE_FIELDS
              + ", got '"
              + name
              + "'");
    }
    Map<String, Object> m = new LinkedHashMap<>(extra);
    if (value == null) {
      m.remove(name);
    } else if (value instanceof Number || value instanceof Boolean) {
      m.put(name, value);
    } else {
      m.put(name, cut(value.toString()));
    }
    return new AuditEvent(
        event, principal, role, peer, robotId, detail, Collections.unmodifiableMap(m));
  }

  public String event() {
    return event;
  }

  /** The principal's name, or null. */
  public String principalName() {
    return principal;
  }

  /** The principal's role, or null. */
  public Role role() {
    return role;
  }

  /** The peer, or null. */
  public String peer() {
    return peer;
  }

  /** The robot id, or null. */
  public String robotId() {
    return robotId;
  }

  /** The detail, or null. */
  public String detail() {
    return detail;
  }

  /** The extra fields, in the order added. */
  public Map<String, Object> fields() {
    return extra;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String cut(String s) {
    if (s == null) {
      return null;
    }
    return s.length() <= MAX_TEXT_CHARS ? s : s.substring(0, MAX_TEXT_CHARS) + "...";
  }

  @Override
  public String toString() {
    return "AuditEvent["
        + event
        + (principal != null ? " by " + principal : "")
        + (robotId != null ? " robot " + robotId : "")
        + (detail != null ? ": " + detail : "")
        + (extra.isEmpty() ? "" : " " + extra)
        + "]";
  }
}
