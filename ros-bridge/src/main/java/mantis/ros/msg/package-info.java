/**
 * ROS 1 messages used by the bridge and their wire format: immutable records with validating
 * constructors, and one {@link mantis.ros.msg.RosMessageType} per message type (see {@link
 * mantis.ros.msg.RosMessages}, and {@link mantis.ros.msg.ActionMessages} for the actionlib messages
 * of {@code control_msgs/FollowJointTrajectory}) that gives the type name, the md5sum (computed
 * from the message definition by the ROS algorithm), the full definition text sent in connection
 * headers, and the little-endian ROS 1 serialization. Malformed input is reported as {@link
 * mantis.ros.msg.MessageFormatException}, never with an allocation larger than the input; its
 * subclass {@link mantis.ros.msg.InvalidMessageException} marks bytes that have the type's layout
 * but hold values the record rejects (a subscriber drops such a message and reads on).
 */
package mantis.ros.msg;
