/**
 * Teleoperation with a shadow policy: a person drives the arm, the policy predicts on the same
 * frames, agreement figures compare the two, control can be handed over and taken back, and
 * episodes are recorded in the simulator's episode format. The web dashboard ({@code
 * mantis.teleop.dashboard}) is one client of {@link mantis.teleop.Teleop}; {@link
 * mantis.teleop.SimTeleop} implements it on the simulated arm and {@link
 * mantis.teleop.BridgedTeleop} on a real arm behind the ROS bridge's {@code ArmService}, both over
 * one package-private control loop (see {@code docs/TELEOP.md}).
 */
package mantis.teleop;
