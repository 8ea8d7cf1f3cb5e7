package mantis.latent.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

  @Test
  void aProbeRecoversAClassCarriedByOneTokenAndIgnoresNoiseTokens() {
    Random rnd = new Random(3);
    int n = 2000;
    int[][] x = new int[n][];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = rnd.nextInt(8);
      x[i] = new int[] {rnd.nextInt(8), (y[i] + 3) % 8, rnd.nextInt(8)};
    }
    LinearProbe p = LinearProbe.fit(x, y, 8, 8, 300, 1e-4);
    LinearProbe.Accuracy acc = p.score(x, y);
    assertEquals(1.0, acc.accuracy(), 1e-9);
    assertEquals(1.0, acc.balancedAccuracy(), 1e-9);
  }

  @Test
  void tokensThatCarryNothingGiveAboutTheMajorityRateOnHeldOutRows() {
    Random rnd = new Random(5);
    int[][] x = new int[4000][];
    int[] y = new int[4000];
    for (int i = 0; i < x.length; i++) {
      x[i] = new int[] {rnd.nextInt(8), rnd.nextInt(8)};
      y[i] = rnd.nextInt(10) < 4 ? 2 : rnd.nextInt(8); // class 2 is the majority (about 47 %)
    }
    LinearProbe p =
        LinearProbe.fit(
            java.util.Arrays.copyOf(x, 2000), java.util.Arrays.copyOf(y, 2000), 8, 8, 300, 1e-4);
    LinearProbe.Accuracy acc =
        p.score(
            java.util.Arrays.copyOfRange(x, 2000, 4000),
            java.util.Arrays.copyOfRange(y, 2000, 4000));
    assertTrue(acc.accuracy() < 0.52 && acc.accuracy() > 0.40, "accuracy " + acc.accuracy());
    assertTrue(acc.balancedAccuracy() < 0.25, "balanced accuracy " + acc.balancedAccuracy());
  }

  @Test
  void badRowsAndSettingsAreRefusedWithMessages() {
    int[][] x = {{0, 1}, {2, 9}};
    int[] y = {0, 1};
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LinearProbe.fit(x, y, 8, 8, 10, 0));
    assertTrue(e.getMessage().contains("token 9"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LinearProbe.fit(new int[][] {{0}}, new int[] {0, 1}, 8, 8, 10, 0));
    assertTrue(e.getMessage().contains("labels"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LinearProbe.fit(new int[][] {{0}}, new int[] {8}, 8, 8, 10, 0));
    assertTrue(e.getMessage().contains("label 0 is 8"), e.getMessage());
    LinearProbe p = LinearProbe.fit(new int[][] {{0}, {1}}, new int[] {0, 1}, 8, 2, 10, 0);
    e = assertThrows(IllegalArgumentException.class, () -> p.predict(new int[] {0, 1}));
    assertTrue(e.getMessage().contains("expected 1 tokens"), e.getMessage());
  }
}
