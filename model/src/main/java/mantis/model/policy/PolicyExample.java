package mantis.model.policy;

import java.util.List;
import java.util.Objects;
import mantis.core.Mark;

/**
 * One input of the policy network, with the labels known for it (any may be absent).
 *
 * @param rgb the frame at the network's input size, RGB8, row-major
 * @param instruction the instruction
 * @param marks Set-of-Mark marks on the frame (pixel coordinates of {@code rgb})
 * @param jointPositionsRad measured joint positions, or null for video without a robot (the hand)
 * @param jointVelocitiesRadPerS measured joint velocities, or null with the positions
 * @param labels what is known about this example
 * @param markMotionPx per mark, how far it has moved since it was first seen in this episode, {dx,
 *     dy} in pixels (2 values per mark, in the order of {@code marks}), or null when unknown (read
 *     as no motion)
 */
public record PolicyExample(
    byte[] rgb,
    String instruction,
    List<Mark> marks,
    double[] jointPositionsRad,
    double[] jointVelocitiesRadPerS,
    PolicyLabels labels,
    double[] markMotionPx) {
  /** An example without mark motion. */
  public PolicyExample(
      byte[] rgb,
      String instruction,
      List<Mark> marks,
      double[] jointPositionsRad,
      double[] jointVelocitiesRadPerS,
      PolicyLabels labels) {
    this(rgb, instruction, marks, jointPositionsRad, jointVelocitiesRadPerS, labels, null);
  }

  public PolicyExample {
    Objects.requireNonNull(rgb, "rgb");
    Objects.requireNonNull(instruction, "instruction");
    marks = List.copyOf(Objects.requireNonNull(marks, "marks"));
    labels = labels == null ? PolicyLabels.NONE : labels;
    if ((jointPositionsRad == null) != (jointVelocitiesRadPerS == null)) {
      throw new IllegalArgumentException(
          "joint positions and velocities are given together or not at all");
    }
    if (markMotionPx != null && markMotionPx.length != 2 * marks.size()) {
      throw new IllegalArgumentException(
          "mark motion has "
              + markMotionPx.length
              + " values for "
              + marks.size()
              + " marks (2 per mark)");
    }
    if (jointPositionsRad != null && jointPositionsRad.length != jointVelocitiesRadPerS.length) {
      throw new IllegalArgumentException("joint positions and velocities differ in length");
    }
  }

  /** Whether the example has a joint state. */
  public boolean hasJoints() {
    return jointPositionsRad != null;
  }
}
