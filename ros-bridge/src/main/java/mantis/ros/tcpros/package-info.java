/**
 * TCPROS, the ROS 1 topic transport, in pure Java: {@link mantis.ros.tcpros.ConnectionHeader}s,
 * length-prefixed message frames, the publisher side ({@link mantis.ros.tcpros.TcprosServer}
 * accepting subscribers for {@link mantis.ros.tcpros.Publication}s) and the subscriber side ({@link
 * mantis.ros.tcpros.Subscription} connecting to publishers found through a {@link
 * mantis.ros.tcpros.PublisherResolver}).
 *
 * <p>Every connection has its own thread and its own bounded queue that drops the oldest message,
 * so a slow or dead peer never blocks a publisher or the other peers. Bad input from a peer
 * (malformed connection header, md5sum mismatch, absurd or truncated frame, a message without its
 * type's layout) closes that one connection with one WARN line naming the peer, the topic and the
 * reason. A message that parses but holds values its type rejects (a JointState with 3 names and 2
 * positions) is dropped alone and counted; the connection stays up (at most one WARN per 5 s). The
 * XML-RPC side (master registration, {@code requestTopic}) is in {@code mantis.ros.node}.
 */
package mantis.ros.tcpros;
