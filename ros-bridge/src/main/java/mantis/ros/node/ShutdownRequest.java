package mantis.ros.node;

import java.util.Objects;

/**
 * A peer asked the node to shut down through the slave API's {@code shutdown}: {@code rosnode kill}
 * (caller {@code /rosnode}, reason {@code "user request"}), or the master when another node
 * registers under the same name.
 *
 * @param callerId who asked, e.g. {@code /rosnode}
 * @param reason the reason they gave; empty when none
 */
public record ShutdownRequest(String callerId, String reason) {
  public ShutdownRequest {
    Objects.requireNonNull(callerId, "callerId");
    Objects.requireNonNull(reason, "reason");
  }

  /** {@code "/rosnode (user request)"}. */
  @Override
  public String toString() {
    return reason.isEmpty() ? callerId : callerId + " (" + reason + ")";
  }
}
