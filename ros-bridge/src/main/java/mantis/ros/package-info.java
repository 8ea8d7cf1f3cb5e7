/**
 * ROS 1 in pure Java (issue 6), for the bridge between a ROS robot and the Mantis server. Layers,
 * bottom up: messages and their wire format ({@link mantis.ros.msg}), the TCPROS transport ({@link
 * mantis.ros.tcpros}), XML-RPC and the master API ({@link mantis.ros.xmlrpc}, {@link
 * mantis.ros.master}), the node ({@link mantis.ros.node}: slave API, /rosout, simulated time), the
 * bridge node ({@link mantis.ros.bridge}), and real ROS peers for tests and benchmarks ({@link
 * mantis.ros.peers}). See {@code ros-bridge/README.md}.
 */
package mantis.ros;
