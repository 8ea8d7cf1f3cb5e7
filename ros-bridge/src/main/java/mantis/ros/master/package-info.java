/**
 * A typed client of the ROS 1 master's XML-RPC API and parameter server ({@link
 * mantis.ros.master.MasterClient}). Every call checks the ROS {@code [code, statusMessage, value]}
 * answer: a code other than 1 is a {@link mantis.ros.master.RosMasterException} carrying the
 * master's status message; an unreachable master is a plain {@link java.io.IOException}.
 */
package mantis.ros.master;
