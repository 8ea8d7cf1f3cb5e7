package mantis.teleop;

/**
 * A recorded teleop episode on disk.
 *
 * @param name directory name, safe for URLs ({@code [A-Za-z0-9._-]+})
 * @param steps steps recorded
 * @param instruction the episode's instruction
 * @param success whether the task succeeded during the recording
 * @param bytes size on disk
 */
public record RecordingInfo(
    String name, long steps, String instruction, boolean success, long bytes) {}
