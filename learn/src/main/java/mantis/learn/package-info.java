/** Training data for the Mantis policy, recorded from the simulator and labelled (latent tokens, marks, traces). */
package mantis.learn;
