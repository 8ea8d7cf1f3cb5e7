package mantis.core.safety;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import org.junit.jupiter.api.Test;

class ChunkPlayerTest {
  private static final long MS = 1_000_000L;
  private static final List<String> NAMES = List.of("a", "b");

  private final FakeClock clock = new FakeClock(1_000 * MS);
  private final ChunkPlayer player = new ChunkPlayer(clock);

  private static ActionChunk chunk(long validUntilNanos, double... aValuesEvery10Ms) {
    List<ActionPoint> pts = new ArrayList<>();
    for (int i = 0; i < aValuesEvery10Ms.length; i++) {
      pts.add(
          new ActionPoint(
              new double[] {aValuesEvery10Ms[i], -aValuesEvery10Ms[i]}, (i + 1) * 10 * MS));
    }
    return new ActionChunk(NAMES, pts, validUntilNanos, null, null, null, "t", null);
  }

  @Test
  void nothingQueuedMeansNoTarget() {
    assertTrue(player.targetAt(clock.nanoTime()).isEmpty());
  }

  @Test
  void interpolatesLinearlyBetweenPoints() {
    long start = clock.nanoTime();
    assertTrue(player.offer(chunk(start + 100 * MS, 1.0, 2.0, 4.0), start));
    assertArrayEquals(
        new double[] {1.0, -1.0}, player.targetAt(start + 10 * MS).orElseThrow(), 1e-12);
    assertArrayEquals(
        new double[] {1.5, -1.5}, player.targetAt(start + 15 * MS).orElseThrow(), 1e-12);
    assertArrayEquals(
        new double[] {3.0, -3.0}, player.targetAt(start + 25 * MS).orElseThrow(), 1e-12);
    assertArrayEquals(
        new double[] {4.0, -4.0}, player.targetAt(start + 30 * MS).orElseThrow(), 1e-12);
    assertArrayEquals(
        new double[] {4.0, -4.0},
        player.targetAt(start + 60 * MS).orElseThrow(),
        1e-12,
        "the last point is held until the chunk expires");
  }

  @Test
  void interpolatesFromTheStartPositionsBeforeTheFirstPoint() {
    long start = clock.nanoTime();
    assertTrue(player.offer(chunk(start + 100 * MS, 1.0), start, new double[] {0.0, 0.0}));
    assertArrayEquals(new double[] {0.0, 0.0}, player.targetAt(start).orElseThrow(), 1e-12);
    assertArrayEquals(
        new double[] {0.25, -0.25}, player.targetAt(start + 2_500_000L).orElseThrow(), 1e-12);
    ChunkPlayer other = new ChunkPlayer(clock);
    other.offer(chunk(start + 100 * MS, 1.0), start);
    assertArrayEquals(
        new double[] {1.0, -1.0},
        other.targetAt(start + 2_500_000L).orElseThrow(),
        1e-12,
        "without start positions the first point is the target");
  }

  @Test
  void aCommandIsNeverExecutedAtOrAfterItsValidUntil() {
    long start = clock.nanoTime();
    player.offer(chunk(start + 25 * MS, 1.0, 2.0, 3.0, 4.0), start);
    assertTrue(player.targetAt(start + 25 * MS - 1).isPresent());
    assertTrue(player.targetAt(start + 25 * MS).isEmpty());
    assertTrue(
        player.targetAt(start + 35 * MS).isEmpty(), "points after valid_until are never played");
  }

  @Test
  void expiredChunksAreRefused() {
    long now = clock.nanoTime();
    assertFalse(player.offer(chunk(now, 1.0), now - 10 * MS));
    assertFalse(player.offer(chunk(now - 1, 1.0), now - 10 * MS));
    assertTrue(player.targetAt(now).isEmpty());
  }

  @Test
  void aQueuedChunkIsNeverReplayedAfterALag() {
    long start = clock.nanoTime();
    ActionChunk first = chunk(start + 200 * MS, 1.0, 2.0, 3.0);
    assertTrue(player.offer(first, start));
    ActionChunk second = chunk(start + 300 * MS, 5.0, 6.0);
    assertTrue(player.offer(second, start + 20 * MS));
    // A late duplicate or reordered delivery of the first chunk must not take over again.
    assertFalse(player.offer(first, start));
    assertFalse(player.offer(second, start + 20 * MS), "the same start again is a replay");
    assertFalse(player.offer(chunk(start + 300 * MS, 9.0), start + 10 * MS), "older start");
    // The executor lags by 150 ms: it gets the target for now, not the points it missed.
    clock.advanceMillis(170);
    assertArrayEquals(
        new double[] {6.0, -6.0}, player.targetAt(clock.nanoTime()).orElseThrow(), 1e-12);
    clock.advanceMillis(200);
    assertTrue(player.targetAt(clock.nanoTime()).isEmpty(), "after its validity nothing plays");
  }

  @Test
  void clearStopsPlayingAndOldChunksStayRefused() {
    long start = clock.nanoTime();
    player.offer(chunk(start + 200 * MS, 1.0), start);
    player.clear();
    assertTrue(player.targetAt(start + 5 * MS).isEmpty());
    assertFalse(player.offer(chunk(start + 200 * MS, 1.0), start));
    assertTrue(player.offer(chunk(start + 200 * MS, 1.0), start + 1));
    assertTrue(player.targetAt(start + 5 * MS).isPresent());
  }

  @Test
  void randomOffersAndLagsNeverPlayAnExpiredOrSupersededChunk() {
    SplittableRandom rnd = new SplittableRandom(5);
    long newestStart = Long.MIN_VALUE;
    ActionChunk playing = null;
    long playingStart = 0;
    for (int i = 0; i < 50_000; i++) {
      clock.advanceNanos(rnd.nextLong(0, 30 * MS));
      long now = clock.nanoTime();
      if (rnd.nextBoolean()) {
        long start = now - rnd.nextLong(-5 * MS, 100 * MS);
        ActionChunk c =
            chunk(start + rnd.nextLong(-20 * MS, 150 * MS), rnd.nextDouble(), rnd.nextDouble());
        boolean shouldAccept = c.validUntilNanos() > now && start > newestStart;
        assertEquals(shouldAccept, player.offer(c, start));
        if (shouldAccept) {
          newestStart = start;
          playing = c;
          playingStart = start;
        }
      }
      long at = now + rnd.nextLong(0, 40 * MS);
      Optional<double[]> target = player.targetAt(at);
      if (playing == null || at >= playing.validUntilNanos()) {
        assertTrue(target.isEmpty());
      } else {
        double[] t = target.orElseThrow();
        double lo =
            Math.min(
                playing.points().get(0).positionRad(0), playing.points().get(1).positionRad(0));
        double hi =
            Math.max(
                playing.points().get(0).positionRad(0), playing.points().get(1).positionRad(0));
        assertTrue(t[0] >= lo - 1e-12 && t[0] <= hi + 1e-12, "target from the current chunk only");
        assertTrue(at - playingStart > -100 * MS);
      }
    }
  }
}
