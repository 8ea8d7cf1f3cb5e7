/**
 * The simulator as an arm: {@link mantis.sim.grpc.SimArm} (the {@link mantis.core.arm.Arm} port)
 * plays joint commands on a {@link mantis.sim.TabletopSim} through the same safety filter as the
 * server, reports joint states, and obeys Hold, EStop and Reset; {@link
 * mantis.sim.grpc.SimArmService} serves it as {@code mantis.v1.ArmService} through {@code
 * mantis.wire.arm.ArmServiceAdapter}. It is served in-process only (the teleop dashboard's
 * simulated arm) and checks no credentials; see its class comment.
 */
package mantis.sim.grpc;
