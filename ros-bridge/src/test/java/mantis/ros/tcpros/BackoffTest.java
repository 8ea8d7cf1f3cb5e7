package mantis.ros.tcpros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static List<Long> take(Backoff b, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(b.next());
    }
    return out;
  }

  @Test
  void delaysDoubleFromAHundredMillisecondsToFiveSeconds() {
    Backoff b = new Backoff(InConnection.FIRST_BACKOFF_MS, InConnection.MAX_BACKOFF_MS);
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L), take(b, 8));
  }

  @Test
  void aSuccessfulHandshakeStartsOverAndAProtocolErrorJumpsToTheMaximum() {
    Backoff b = new Backoff(100, 5000);
    take(b, 5);
    b.reset();
    assertEquals(List.of(100L, 200L), take(b, 2));
    b.toMax();
    assertEquals(List.of(5000L, 5000L), take(b, 2));
  }

  @Test
  void nonsensicalBoundsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 5));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(10, 5));
  }
}
