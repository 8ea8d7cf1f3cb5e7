package mantis.core;

import java.util.List;
import java.util.Objects;

/**
 * What a policy is and expects.
 *
 * @param name short name, such as {@code visual-servo}
 * @param version model version string, reported in every action chunk
 * @param jointNames joint order of the chunks it produces
 * @param inputWidthPx frame width the policy works at
 * @param inputHeightPx frame height the policy works at
 * @param chunkLength number of points per chunk (H)
 * @param cardJson model card as JSON, {@code "{}"} when there is none
 */
public record PolicyInfo(
    String name,
    String version,
    List<String> jointNames,
    int inputWidthPx,
    int inputHeightPx,
    int chunkLength,
    String cardJson) {
  public PolicyInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    jointNames = List.copyOf(jointNames);
    cardJson = Objects.requireNonNullElse(cardJson, "{}");
    if (chunkLength < 1) {
      throw new IllegalArgumentException("chunk length must be >= 1");
    }
  }
}
