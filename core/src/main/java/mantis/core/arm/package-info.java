/**
 * The arm port: what an arm (simulated or real) offers to whoever controls it, independent of any
 * transport. {@link mantis.core.arm.Arm} is implemented by the simulator's arm and by the ROS
 * bridge's arm; one gRPC adapter ({@code mantis.wire.arm.ArmServiceAdapter}) serves any of them as
 * {@code mantis.v1.ArmService}.
 */
package mantis.core.arm;
