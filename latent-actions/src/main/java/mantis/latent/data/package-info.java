/**
 * Reading action-free video datasets recorded by {@code mantis latent record} (format: {@code
 * docs/LATENT_DATA.md}). {@link mantis.latent.data.VideoDataset} streams frame pairs (frame t,
 * frame t+H) with seeded shuffling and a train / held-out split by episode seed; {@link
 * mantis.latent.data.WithheldTruth} reads the separate evaluation-only file (actions, effector
 * positions, true motion of each pair). Pure Java: no engine types in the API.
 */
package mantis.latent.data;
