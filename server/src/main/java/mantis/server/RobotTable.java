package mantis.server;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Function;
import mantis.core.MonotonicClock;
import mantis.core.safety.SafetyFilter;

/**
 * The server's robot entries: one {@link SafetyFilter} per robot id, so an e-stop of one robot
 * leaves the others alone. Bounded, and it cannot lock new robots out.
 *
 * <p>A safety filter's only state is its latched e-stop; an entry without one can be dropped and
 * made again without changing anything for its robot. So: an entry unused for the idle expiry is
 * dropped (counted as expired), and when the table is full a new robot takes the slot of the least
 * recently used entry that is <em>free</em> (counted as reused). Entries are <em>pinned</em>, never
 * dropped, while a Control stream of that robot is open or its e-stop is latched: an e-stopped
 * robot stays e-stopped until an explicit reset, however long it is idle (invariant 5). E-stops are
 * latched only by the server's operator ({@link MantisServer#estop}), never by a client request, so
 * pinned e-stopped entries stay few; streams are bounded by the stream limits. Only when every
 * entry is pinned is a new robot refused, with {@link OverloadedException} (RESOURCE_EXHAUSTED)
 * naming the limit.
 *
 * <p>Time is read from the {@link MonotonicClock} (tests use a fake one). Thread-safe; operations
 * are O(1) apart from skipping pinned entries at the old end of the table.
 */
final class RobotTable {
  private final int capacity;
  private final long idleExpiryNanos;
  private final Function<String, SafetyFilter> factory;
  private final MonotonicClock clock;
  private final ServerMetrics metrics;

  /** Access order: least recently used first. Guarded by itself. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);

  private SafetyFilter spare;

  private static final class Entry {
    final SafetyFilter filter;
    long lastUsedNanos;
    int streams;

    Entry(SafetyFilter filter, long now) {
      this.filter = filter;
      this.lastUsedNanos = now;
    }

    boolean pinned() {
      return streams > 0 || filter.isEstopped();
    }
  }

  RobotTable(
      int capacity,
      long idleExpiryNanos,
      Function<String, SafetyFilter> factory,
      MonotonicClock clock,
      ServerMetrics metrics) {
    if (capacity < 1 || idleExpiryNanos < 1) {
      throw new IllegalArgumentException("robot table capacity and idle expiry must be >= 1");
    }
    this.capacity = capacity;
    this.idleExpiryNanos = idleExpiryNanos;
    this.factory = factory;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * A filter of the served robot that belongs to no robot id (never e-stopped): holds for a robot
   * without an entry use it, so making a hold never needs a slot.
   */
  SafetyFilter spare() {
    synchronized (entries) {
      if (spare == null) {
        spare = factory.apply("");
      }
      return spare;
    }
  }

  int capacity() {
    return capacity;
  }

  /** The robot's filter, made if new; marks the entry used now. */
  SafetyFilter use(String robotId) throws OverloadedException {
    return acquire(robotId, 0);
  }

  /**
   * Like {@link #use}, and pins the entry until {@link #unpin} (one call per open Control stream).
   */
  SafetyFilter pin(String robotId) throws OverloadedException {
    return acquire(robotId, 1);
  }

  /** Releases one {@link #pin}; the entry is then subject to expiry again (unless e-stopped). */
  void unpin(String robotId) {
    synchronized (entries) {
      Entry e = entries.get(robotId);
      if (e != null && e.streams > 0) {
        e.streams--;
        e.lastUsedNanos = clock.nanoTime();
      }
    }
  }

  /** The robot's filter if it has an entry (marking it used now), else null; never makes one. */
  SafetyFilter existing(String robotId) {
    synchronized (entries) {
      Entry e = entries.get(robotId);
      if (e == null) {
        return null;
      }
      e.lastUsedNanos = clock.nanoTime();
      return e.filter;
    }
  }

  /** Drops the robot's entry whatever its state (warm-up's own robot). */
  void forget(String robotId) {
    synchronized (entries) {
      if (entries.remove(robotId) != null) {
        gauge();
      }
    }
  }

  /** Entries now, after dropping the expired ones. */
  int size() {
    synchronized (entries) {
      expire(clock.nanoTime());
      return entries.size();
    }
  }

  private SafetyFilter acquire(String robotId, int pins) throws OverloadedException {
    synchronized (entries) {
      long now = clock.nanoTime();
      Entry e = entries.get(robotId);
      if (e == null) {
        expire(now);
        if (entries.size() >= capacity && !reuseOne()) {
          if (metrics != null) {
            metrics.refusals.labelValues("robot_table").inc();
          }
          throw new OverloadedException(
              "robot_table",
              true,
              null,
              "robot_id "
                  + ClientText.escape(robotId)
                  + " is new but this "
                  + "server's robot table is full: all "
                  + capacity
                  + " entries (admission.max_robots) belong to robots "
                  + "with an open Control stream or a latched e-stop; retry when a stream ends or an e-stop is reset");
        }
        e = new Entry(factory.apply(robotId), now);
        entries.put(robotId, e);
        gauge();
      }
      e.lastUsedNanos = now;
      e.streams += pins;
      return e.filter;
    }
  }

  /**
   * Drops entries idle past the expiry, oldest first, skipping pinned ones. Caller holds the lock.
   */
  private void expire(long now) {
    int dropped = 0;
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (now - e.lastUsedNanos < idleExpiryNanos) {
        break; // access order: every later entry was used more recently
      }
      if (!e.pinned()) {
        it.remove();
        dropped++;
      }
    }
    if (dropped > 0) {
      if (metrics != null) {
        metrics.robotsExpired.inc(dropped);
      }
      gauge();
    }
  }

  /**
   * Drops the least recently used free entry; false when every entry is pinned. Caller holds the
   * lock.
   */
  private boolean reuseOne() {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      if (!it.next().pinned()) {
        it.remove();
        if (metrics != null) {
          metrics.robotsReused.inc();
        }
        return true;
      }
    }
    return false;
  }

  private void gauge() {
    if (metrics != null) {
      metrics.robotsTracked.set(entries.size());
    }
  }

  /** For tests: a snapshot of the ids, least recently used first. */
  java.util.List<String> ids() {
    synchronized (entries) {
      return java.util.List.copyOf(entries.keySet());
    }
  }
}
