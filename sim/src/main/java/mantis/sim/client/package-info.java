/**
 * Drives a {@link mantis.sim.TabletopSim} from a Mantis server over gRPC: {@link
 * mantis.sim.client.SimClient} runs seeded episodes in lockstep over {@code PolicyService.Control},
 * executing each returned action chunk at the physics rate and never past its validity.
 */
package mantis.sim.client;
