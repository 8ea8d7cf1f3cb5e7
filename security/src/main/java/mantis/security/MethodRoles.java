package mantis.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The role each gRPC method needs, by full method name ({@code mantis.v1.PolicyService/Predict}).
 * Methods not in the table need {@link Role#ADMIN}: a service added later is closed until someone
 * decides who may call it.
 *
 * <p>The {@link #defaults() defaults} for Mantis:
 *
 * <table>
 *   <caption>Default roles</caption>
 *   <tr><th>method</th><th>role needed</th></tr>
 *   <tr><td>{@code mantis.v1.PolicyService/Describe}, {@code /Annotate}</td><td>viewer</td></tr>
 *   <tr><td>{@code mantis.v1.PolicyService/Predict}, {@code /Control}</td><td>operator</td></tr>
 *   <tr><td>{@code mantis.v1.ArmService/StreamCommands}, {@code /Hold}</td><td>operator</td></tr>
 *   <tr><td>{@code mantis.v1.ArmService/EStop}</td><td>viewer: any authenticated caller may stop an arm</td></tr>
 *   <tr><td>{@code mantis.v1.ArmService/Reset}</td><td>admin: clearing an e-stop</td></tr>
 *   <tr><td>{@code grpc.health.v1.Health/*}, {@code grpc.reflection.*}</td><td>viewer</td></tr>
 *   <tr><td>anything else</td><td>admin</td></tr>
 * </table>
 *
 * <p>Patterns: an exact method name; {@code package.Service/*} for every method of a service;
 * {@code prefix.*} for every method of every service whose name starts with {@code prefix.}. The
 * most specific match wins (exact, then service, then the longest prefix). Immutable.
 */
public final class MethodRoles {
  /** {@code mantis.v1.PolicyService}. */
  public static final String POLICY_SERVICE = "mantis.v1.PolicyService";

  /** {@code mantis.v1.ArmService}. */
  public static final String ARM_SERVICE = "mantis.v1.ArmService";

  private static final MethodRoles DEFAULTS =
      builder()
          .put(POLICY_SERVICE + "/Describe", Role.VIEWER)
          .put(POLICY_SERVICE + "/Annotate", Role.VIEWER)
          .put(POLICY_SERVICE + "/Predict", Role.OPERATOR)
          .put(POLICY_SERVICE + "/Control", Role.OPERATOR)
          .put(ARM_SERVICE + "/StreamCommands", Role.OPERATOR)
          .put(ARM_SERVICE + "/Hold", Role.OPERATOR)
          .put(ARM_SERVICE + "/EStop", Role.VIEWER)
          .put(ARM_SERVICE + "/Reset", Role.ADMIN)
          .put("grpc.health.v1.Health/*", Role.VIEWER)
          .put("grpc.reflection.*", Role.VIEWER)
          .build();

  private final Map<String, Role> exact;
  private final Map<String, Role> services;
  private final Map<String, Role> prefixes;
  private final Role fallback;

  private MethodRoles(Builder b) {
    this.exact = Map.copyOf(b.exact);
    this.services = Map.copyOf(b.services);
    this.prefixes = Map.copyOf(b.prefixes);
    this.fallback = b.fallback;
  }

  /** Mantis's table (see the class comment). */
  public static MethodRoles defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this table, to add or override entries. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.exact.putAll(exact);
    b.services.putAll(services);
    b.prefixes.putAll(prefixes);
    b.fallback = fallback;
    return b;
  }

  /** The role {@code fullMethodName} needs ({@code package.Service/Method}). */
  public Role required(String fullMethodName) {
    Role r = exact.get(fullMethodName);
    if (r != null) {
      return r;
    }
    int slash = fullMethodName.lastIndexOf('/');
    String service = slash < 0 ? fullMethodName : fullMethodName.substring(0, slash);
    r = services.get(service);
    if (r != null) {
      return r;
    }
    String best = null;
    for (String prefix : prefixes.keySet()) {
      if (service.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    return best != null ? prefixes.get(best) : fallback;
  }

  /**
   * Builds a {@link MethodRoles}; the fallback for unlisted methods is {@link Role#ADMIN} unless
   * set.
   */
  public static final class Builder {
    private final Map<String, Role> exact = new LinkedHashMap<>();
    private final Map<String, Role> services = new LinkedHashMap<>();
    private final Map<String, Role> prefixes = new LinkedHashMap<>();
    private Role fallback = Role.ADMIN;

    private Builder() {}

    /**
     * The role for a pattern: {@code pkg.Service/Method}, {@code pkg.Service/*} or {@code
     * prefix.*}.
     *
     * @throws IllegalArgumentException for any other shape
     */
    public Builder put(String pattern, Role role) {
      Objects.requireNonNull(role, "role");
      if (pattern == null
          || pattern.isBlank()
          || pattern.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(
            "method pattern must not be empty or contain spaces, got '" + pattern + "'");
      }
      int slash = pattern.indexOf('/');
      if (slash > 0 && slash == pattern.lastIndexOf('/') && slash < pattern.length() - 1) {
        String method = pattern.substring(slash + 1);
        if (method.equals("*")) {
          services.put(pattern.substring(0, slash), role);
        } else if (!method.contains("*")) {
          exact.put(pattern, role);
        } else {
          throw new IllegalArgumentException(
              "method pattern '" + pattern + "': '*' must be the whole method name");
        }
      } else if (slash < 0
          && pattern.endsWith(".*")
          && pattern.length() > 2
          && pattern.indexOf('*') == pattern.length() - 1) {
        prefixes.put(pattern.substring(0, pattern.length() - 1), role);
      } else {
        throw new IllegalArgumentException(
            "method pattern must be pkg.Service/Method, pkg.Service/* or prefix.*, got '"
                + pattern
                + "'");
      }
      return this;
    }

    /** The role for methods no pattern matches; default {@link Role#ADMIN}. */
    public Builder optFallback(Role role) {
      this.fallback = Objects.requireNonNull(role, "role");
      return this;
    }

    public MethodRoles build() {
      return new MethodRoles(this);
    }
  }
}
