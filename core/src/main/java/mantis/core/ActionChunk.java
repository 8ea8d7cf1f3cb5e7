package mantis.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * H future joint targets with timing, plus what the policy saw and planned.
 *
 * @param jointNames joint names, the order of every point's positions
 * @param points the targets; {@code timeFromStartNanos} should strictly increase (the safety filter
 *     enforces it)
 * @param validUntilNanos server monotonic time after which no point may be executed
 * @param latentTokens latent action tokens chosen by the policy (may be empty)
 * @param marks Set-of-Mark marks on the input frame (may be empty)
 * @param traces Trace-of-Mark traces planned by the policy (may be empty)
 * @param modelVersion which policy produced the chunk
 * @param stageNanos per-stage wall time in nanoseconds, in pipeline order
 */
public record ActionChunk(
    List<String> jointNames,
    List<ActionPoint> points,
    long validUntilNanos,
    int[] latentTokens,
    List<Mark> marks,
    List<Trace> traces,
    String modelVersion,
    Map<String, Long> stageNanos) {
  public ActionChunk {
    jointNames = List.copyOf(Objects.requireNonNull(jointNames, "jointNames"));
    points = List.copyOf(Objects.requireNonNull(points, "points"));
    latentTokens = latentTokens == null ? new int[0] : latentTokens.clone();
    marks = marks == null ? List.of() : List.copyOf(marks);
    traces = traces == null ? List.of() : List.copyOf(traces);
    modelVersion = Objects.requireNonNullElse(modelVersion, "");
    stageNanos =
        stageNanos == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stageNanos));
  }

  @Override
  public int[] latentTokens() {
    return latentTokens.clone();
  }

  /** A copy with other points and validity, everything else kept. */
  public ActionChunk withPoints(List<ActionPoint> newPoints, long newValidUntilNanos) {
    return new ActionChunk(
        jointNames,
        newPoints,
        newValidUntilNanos,
        latentTokens,
        marks,
        traces,
        modelVersion,
        stageNanos);
  }

  /** A copy with other stage timings. */
  public ActionChunk withStageNanos(Map<String, Long> newStageNanos) {
    return new ActionChunk(
        jointNames,
        points,
        validUntilNanos,
        latentTokens,
        marks,
        traces,
        modelVersion,
        newStageNanos);
  }
}
