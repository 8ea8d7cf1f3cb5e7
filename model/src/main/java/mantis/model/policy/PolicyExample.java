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
 */
public record PolicyExample(
    byte[] rgb,
    String instruction,
    List<Mark> marks,
    double[] jointPositionsRad,
    double[] jointVelocitiesRadPerS,
    PolicyLabels labels) {
  public PolicyExample {
    Objects.requireNonNull(rgb, "rgb");
    Objects.requireNonNull(instruction, "instruction");
    marks = List.copyOf(Objects.requireNonNull(marks, "marks"));
    labels = labels == null ? PolicyLabels.NONE : labels;
    if ((jointPositionsRad == null) != (jointVelocitiesRadPerS == null)) {
      throw new IllegalArgumentException("joint positions and velocities are given together or not at all");
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
