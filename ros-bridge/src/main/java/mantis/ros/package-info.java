/**
 * ROS 1 bridge (issue 6). Step 1 holds only the message layer, {@link mantis.ros.msg}; the TCPROS
 * transport, master/slave XML-RPC and the node that connects Mantis to a robot come next.
 */
package mantis.ros;
