/**
 * The tabletop simulator as a ROS 1 robot ({@code mantis sim-ros}): camera, joint states and the
 * task instruction published through a Mantis {@link mantis.ros.node.RosNode}, and {@code
 * trajectory_msgs/JointTrajectory} commands executed like a ros_control JointTrajectoryController.
 * Start with {@link mantis.simros.RosSimRobot#builder()}.
 */
package mantis.simros;
