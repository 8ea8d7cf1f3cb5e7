/**
 * The {@code mantis} command line (picocli, {@link mantis.app.MantisCommand}): serving ({@code
 * serve}, {@code demo}), the simulator and its ROS robot ({@code sim}, {@code sim-ros}, {@code
 * expert}), the ROS bridge ({@code bridge}), the teleop dashboard, tokens, training ({@code
 * policy}, {@code latent}), evaluation ({@code eval}, {@code marks}) and benchmarks ({@code
 * bench*}). It only wires the other modules together and is the only place that prints to the
 * console; everything else logs through SLF4J. Nothing depends on this module; it builds the
 * runnable {@code app/target/mantis.jar}.
 */
package mantis.app;
