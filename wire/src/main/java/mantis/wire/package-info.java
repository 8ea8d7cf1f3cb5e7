/**
 * The one mapping between {@code mantis.core} values and their {@code mantis.v1} wire form (the
 * generated {@code mantis.proto.v1} messages), shared by the server, the simulator's client and
 * arm, and the ROS bridge: {@link mantis.wire.ProtoMapping}.
 *
 * <p>The mapping is pure: no I/O, no clocks, no policy. What a receiver accepts (limits, budgets,
 * the robot's joint order, the safety filter) stays with the receiver; what this package maps from
 * the wire never throws on content the core values can hold, and what it cannot hold (a mark
 * numbered 0, a box of negative size) is dropped as documented.
 */
package mantis.wire;
