package mantis.baseline;

import mantis.calibration.TablePoint;

/**
 * What the baseline remembers between calls of one episode: where the object started, where it was
 * last seen, and which phase of a push it is in. Guarded by its own monitor.
 */
final class EpisodeMemory {
  enum Phase {
    APPROACH,
    PUSH,
    DONE
  }

  final String instruction;
  TablePoint objectStart;
  TablePoint objectLast;
  double objectAreaPx;
  double objectHalfSizeM;
  boolean objectDisc;
  TablePoint targetLast;
  Phase phase = Phase.APPROACH;

  /** For block pushes onto a target: 0 = along x, 1 = along y, -1 = not chosen yet. */
  int legAxis = -1;

  /** Unit direction of the current push. */
  double pushDx;

  double pushDy;
  long lastStep = -1;

  EpisodeMemory(String instruction) {
    this.instruction = instruction;
  }
}
