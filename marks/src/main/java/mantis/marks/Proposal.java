package mantis.marks;

import java.util.List;
import java.util.Objects;
import mantis.core.Mark;

/**
 * What {@link MarkProposer} found in one frame.
 *
 * @param marks every mark, ids 1..N in reading order (top to bottom, then left to right)
 * @param effectorMarkId id of the mark on the end effector, or 0 when none was found
 */
public record Proposal(List<Mark> marks, int effectorMarkId) {
  public Proposal {
    marks = List.copyOf(Objects.requireNonNull(marks, "marks"));
    if (effectorMarkId < 0 || effectorMarkId > marks.size()) {
      throw new IllegalArgumentException(
          "effector mark id " + effectorMarkId + " outside 0.." + marks.size());
    }
  }

  /** No marks. */
  public static Proposal empty() {
    return new Proposal(List.of(), 0);
  }
}
