/**
 * The Mantis tabletop simulator: {@link mantis.sim.TabletopSim} (scene, quasi-static pushing
 * physics, renderer with domain randomisation), the task families and their language templates
 * ({@link mantis.sim.TaskFamily}), the two embodiments ({@link mantis.sim.Embodiment}), the {@link
 * mantis.sim.ScriptedExpert} and its {@link mantis.sim.ExpertEvaluation}.
 *
 * <p>World conventions: table frame in metres, origin at the arm base on the table edge, +x right,
 * +y away from the base (up in the image), z up. The camera looks straight down from about (0,
 * 0.36, 1.0) m ({@link mantis.calibration.CameraModel#mantisDefault}).
 */
package mantis.sim;
