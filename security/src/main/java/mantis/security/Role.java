package mantis.security;

import java.util.Locale;

/**
 * What a caller may do. Each role includes the ones below it: {@code ADMIN} can do everything an
 * {@code OPERATOR} can, an {@code OPERATOR} everything a {@code VIEWER} can.
 *
 * <ul>
 *   <li>{@link #VIEWER}: read-only (describe the policy, annotate frames, health, reflection) and
 *       e-stop.
 *   <li>{@link #OPERATOR}: also move arms (Predict, Control, ArmService commands and hold).
 *   <li>{@link #ADMIN}: also clear a latched e-stop (ArmService Reset) and anything not listed in
 *       {@link MethodRoles}.
 * </ul>
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  /** True when this role may do what {@code needed} may: {@code ADMIN.includes(VIEWER)} is true. */
  public boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The name used in YAML files and flags: {@code viewer}, {@code operator}, {@code admin}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code viewer}, {@code operator} or {@code admin} (any case).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Role parse(String text) {
    if (text != null) {
      for (Role r : values()) {
        if (r.name().equalsIgnoreCase(text.trim())) {
          return r;
        }
      }
    }
    throw new IllegalArgumentException(
        "role must be viewer, operator or admin, got '" + text + "'");
  }
}
