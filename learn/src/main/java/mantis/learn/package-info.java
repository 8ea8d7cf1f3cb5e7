/**
 * Learning from the simulator: training data for the Mantis policy recorded from scripted or teleop
 * episodes and labelled (latent tokens, marks, traces; {@link mantis.learn.PolicyDataRecorder}),
 * and the policy's training with its loss curve ({@link mantis.learn.PolicyTraining}). Offline
 * evaluations live in {@code mantis.learn.eval}.
 */
package mantis.learn;
