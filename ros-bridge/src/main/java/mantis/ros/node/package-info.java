/**
 * A ROS 1 node in pure Java: registration with the master over XML-RPC, the node's own slave API,
 * and TCPROS publishers and subscribers. Start with {@link mantis.ros.node.RosNode#builder()}.
 */
package mantis.ros.node;
