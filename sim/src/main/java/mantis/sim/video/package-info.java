/**
 * Action-free video datasets for latent-action learning ({@code mantis latent record}): {@link
 * mantis.sim.video.VideoDatasetRecorder} runs scripted-expert episodes of the arm and the floating
 * hand over several threads and writes raw RGB frame shards plus a JSON index; the actions and the
 * true effector motion go to a separate withheld file used solely for evaluation. The format is
 * specified in {@code docs/LATENT_DATA.md}.
 */
package mantis.sim.video;
