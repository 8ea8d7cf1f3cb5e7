package mantis.core.safety;

import java.util.Objects;

/**
 * One correction made by the safety layer.
 *
 * @param kind what kind of correction, for metrics
 * @param detail a short human-readable explanation (joint, point, values), for logs
 */
public record Intervention(InterventionKind kind, String detail) {
  public Intervention {
    Objects.requireNonNull(kind, "kind");
    detail = Objects.requireNonNullElse(detail, "");
  }
}
