package mantis.teleop.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import mantis.security.Role;

/**
 * What a dashboard request does, and the {@link Role} it needs: the dashboard's counterpart of the
 * gRPC services' method table ({@code mantis.security.MethodRoles}), in the same spirit: watching
 * and e-stop for every authenticated user, moving the arm for operators, clearing an e-stop for
 * admins, and anything not listed for admins only (deny by default).
 *
 * <table>
 *   <caption>Roles per request</caption>
 *   <tr><th>action</th><th>requests</th><th>role</th></tr>
 *   <tr><td>watch</td><td>every {@code GET /api/...} (state, frame, recordings, session)</td><td>viewer</td></tr>
 *   <tr><td>estop</td><td>{@code POST /api/estop}</td><td>viewer</td></tr>
 *   <tr><td>jog</td><td>{@code POST /api/jog}</td><td>operator</td></tr>
 *   <tr><td>mode</td><td>{@code POST /api/mode} (hand to policy, take over)</td><td>operator</td></tr>
 *   <tr><td>episode</td><td>{@code POST /api/episode}</td><td>operator</td></tr>
 *   <tr><td>record</td><td>{@code POST /api/recordings/start}, {@code .../stop}</td><td>operator</td></tr>
 *   <tr><td>reset</td><td>{@code POST /api/reset} (clear the e-stop)</td><td>admin</td></tr>
 *   <tr><td>other</td><td>any other {@code POST /api/...}</td><td>admin</td></tr>
 * </table>
 */
enum DashboardAction {
  WATCH(Role.VIEWER, "watch the arm"),
  ESTOP(Role.VIEWER, "latch the e-stop"),
  JOG(Role.OPERATOR, "jog the arm"),
  MODE(Role.OPERATOR, "hand control to the policy or take it over"),
  EPISODE(Role.OPERATOR, "start an episode"),
  RECORD(Role.OPERATOR, "start or stop a recording"),
  RESET(Role.ADMIN, "reset the e-stop"),
  OTHER(Role.ADMIN, "change the dashboard");

  private final Role needed;
  private final String what;

  DashboardAction(Role needed, String what) {
    this.needed = needed;
    this.what = what;
  }

  /** The action of a request to {@code path} (under {@code /api/}) with {@code method}. */
  static DashboardAction of(String method, String path) {
    if (!"POST".equalsIgnoreCase(method)) {
      return WATCH;
    }
    return switch (path) {
      case "/api/estop" -> ESTOP;
      case "/api/jog" -> JOG;
      case "/api/mode" -> MODE;
      case "/api/episode" -> EPISODE;
      case "/api/recordings/start", "/api/recordings/stop" -> RECORD;
      case "/api/reset" -> RESET;
      default -> OTHER;
    };
  }

  /** The least role that may do this. */
  Role needed() {
    return needed;
  }

  /** What it does, for messages ("reset the e-stop"). */
  String what() {
    return what;
  }

  /**
   * The name the page uses ({@code data-may}, {@code /api/session}): {@code jog}, {@code reset},
   * ...
   */
  String pageName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether {@code role} may do this. */
  boolean allows(Role role) {
    return role.includes(needed);
  }

  /** The page's actions (all but {@link #OTHER}) that {@code role} may do, in table order. */
  static List<DashboardAction> allowedFor(Role role) {
    List<DashboardAction> out = new ArrayList<>();
    for (DashboardAction a : values()) {
      if (a != OTHER && a.allows(role)) {
        out.add(a);
      }
    }
    return out;
  }

  /**
   * The 403 message for {@code principalName} with {@code role}: names the request, the role needed
   * and the caller's role, as the gRPC services do.
   */
  String refusal(String method, String path, String principalName, Role role) {
    String roleNeeded =
        needed == Role.ADMIN ? "role admin" : "role " + needed.configName() + " or higher";
    return method
        + " "
        + path
        + " ("
        + what
        + ") needs "
        + roleNeeded
        + "; '"
        + principalName
        + "' has role "
        + role.configName();
  }
}
