package mantis.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ObservationTest {
  private static Observation of(String robot, String episode, long step) {
    return new Observation(
        robot,
        episode,
        step,
        List.of(Frame.ofRgb(1, 1, new byte[3])),
        "reach the red block",
        new JointState(List.of("j"), new double[] {0}, new double[] {0}, 0),
        0,
        0);
  }

  @Test
  void theEpisodeKeyIsTheSameThroughAnEpisodeAndKeepsRobotAndEpisodeApart() {
    assertEquals(of("arm", "e1", 0).episodeKey(), of("arm", "e1", 7).episodeKey());
    assertNotEquals(of("arm", "e1", 0).episodeKey(), of("arm", "e2", 0).episodeKey());
    assertNotEquals(of("a", "bc", 0).episodeKey(), of("ab", "c", 0).episodeKey());
  }
}
