/**
 * The simulator as an arm behind {@code mantis.v1.ArmService}: {@link mantis.sim.grpc.SimArmService}
 * streams joint commands into a {@link mantis.sim.TabletopSim} through the same safety filter as the
 * server, streams joint states out, and obeys Hold, EStop and Reset. It is served in-process only
 * (the teleop dashboard's simulated arm) and checks no credentials; see its class comment.
 */
package mantis.sim.grpc;
