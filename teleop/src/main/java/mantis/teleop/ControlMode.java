package mantis.teleop;

/** Who drives the arm. */
public enum ControlMode {
  /** The person, through jog commands. The policy runs in shadow mode. */
  TELEOP,
  /** The policy's chunks drive the arm; jog commands are ignored. */
  POLICY
}
