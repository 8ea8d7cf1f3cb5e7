/**
 * The bridge node: connects a ROS 1 graph to the Mantis policy server. Camera frames ({@code
 * sensor_msgs/Image} rgb8/bgr8 or {@code CompressedImage} JPEG/PNG), joint states and an
 * instruction go to {@code PolicyService.Control}; each returned chunk passes the core {@link
 * mantis.core.safety.SafetyFilter} and is published as a {@code trajectory_msgs/JointTrajectory} on
 * {@code <controller>/command}. The bridge holds the arm on server loss, expiry, watchdog, e-stop
 * and shutdown ({@code close()}, SIGTERM in the CLI, {@code rosnode kill}), reconnects promptly
 * when the server returns, publishes a status heartbeat, logs to {@code /rosout}, stamps
 * trajectories with ROS time ({@code /clock} under {@code /use_sim_time}), and serves {@code
 * mantis.v1.ArmService} through the same filter. Start with {@link
 * mantis.ros.bridge.BridgeConfig#load} and {@link mantis.ros.bridge.BridgeNode#builder()}.
 */
package mantis.ros.bridge;
