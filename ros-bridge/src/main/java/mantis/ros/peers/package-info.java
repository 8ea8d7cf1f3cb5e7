/**
 * Real ROS 1 peers from the Debian packages ({@code ros-core}, rospy): finding the tools, starting
 * and restarting a {@code roscore} on a free port, and running {@code rostopic} or rospy scripts
 * against it. Used by interop tests and the ROS benchmark; nothing here is needed to run the
 * bridge.
 */
package mantis.ros.peers;
