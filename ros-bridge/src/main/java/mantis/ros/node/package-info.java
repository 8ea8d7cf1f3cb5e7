/**
 * A ROS 1 node in pure Java: registration with the master over XML-RPC, the node's own slave API
 * (including {@code shutdown}, which {@code rosnode kill} calls: see {@link
 * mantis.ros.node.RosNode.Builder#optShutdownHandler}), TCPROS publishers and subscribers, log
 * lines on {@code /rosout} ({@link mantis.ros.node.RosNode#logger}) and simulated time from {@code
 * /clock} under {@code /use_sim_time} ({@link mantis.ros.node.RosNode#now()}). Start with {@link
 * mantis.ros.node.RosNode#builder()}.
 */
package mantis.ros.node;
