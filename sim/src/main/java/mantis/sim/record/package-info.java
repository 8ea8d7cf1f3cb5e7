/**
 * Episode recording to disk and streaming it back: {@link mantis.sim.record.EpisodeRecorder} and
 * {@link mantis.sim.record.EpisodeReader}. One directory per episode holds {@code episode.json}
 * (metadata), {@code steps.jsonl} (one JSON line per recorded step, appended as the episode runs)
 * and {@code frames/NNNNNN.png}. The format is specified in {@code docs/EPISODE_FORMAT.md}.
 */
package mantis.sim.record;
