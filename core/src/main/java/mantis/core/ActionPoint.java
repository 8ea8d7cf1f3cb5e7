package mantis.core;

import java.util.Objects;

/**
 * One future joint target of an action chunk.
 *
 * @param positionsRad joint targets, in the chunk's joint order
 * @param timeFromStartNanos when the target should be reached, from the chunk's start
 */
public record ActionPoint(double[] positionsRad, long timeFromStartNanos) {
  public ActionPoint {
    positionsRad = Objects.requireNonNull(positionsRad, "positionsRad").clone();
  }

  @Override
  public double[] positionsRad() {
    return positionsRad.clone();
  }

  public double positionRad(int joint) {
    return positionsRad[joint];
  }

  public int size() {
    return positionsRad.length;
  }
}
