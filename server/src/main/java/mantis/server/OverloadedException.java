package mantis.server;

import mantis.core.JointState;

/**
 * A request refused because a server resource is used up (RESOURCE_EXHAUSTED on the wire): the
 * robot table, the decode budget, the stream limits. The message is the client-facing description
 * and names the limit.
 */
final class OverloadedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final boolean transientOverload;
  private final transient JointState jointState;

  /**
   * @param reason metric label of the limit ({@code decode_per_second}, {@code robot_table}, ...)
   * @param transientOverload true when the same request may pass later (a rate), false when it
   *     never fits
   * @param jointState the request's joint state when it was decoded before the refusal, else null
   */
  OverloadedException(
      String reason, boolean transientOverload, JointState jointState, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.transientOverload = transientOverload;
    this.jointState = jointState;
  }

  String reason() {
    return reason;
  }

  boolean isTransient() {
    return transientOverload;
  }

  /** The refused request's joint state, or null when it was not decoded. */
  JointState jointState() {
    return jointState;
  }

  /** The same refusal, now knowing the request's joint state. */
  OverloadedException withJointState(JointState state) {
    return new OverloadedException(reason, transientOverload, state, getMessage());
  }
}
