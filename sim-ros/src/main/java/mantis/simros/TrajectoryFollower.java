package mantis.simros;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.MonotonicClock;
import mantis.core.safety.ChunkPlayer;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;

/**
 * What a ros_control {@code JointTrajectoryController} does with a {@code JointTrajectory} on its
 * {@code command} topic, for the simulated arm: the trajectory starts at its header stamp (zero
 * stamp: on arrival), replaces the one being followed on arrival (for a stamp in the future the arm
 * waits at its current position until then, where ros_control would finish the old one first), is
 * interpolated linearly from the positions at its start to the first point and between points by
 * {@code time_from_start}, and its last point is held until a newer trajectory arrives. An empty
 * trajectory stops the arm where it is. Joints are matched by name, in any order; a trajectory that
 * does not name every joint, names an unknown one, or has non-finite or non-increasing values is
 * refused whole.
 *
 * <p>Thread-safe: one thread offers while another asks for targets.
 */
final class TrajectoryFollower {
  private final List<String> jointNames;
  private final MonotonicClock clock;
  private final ChunkPlayer player;

  /**
   * @param jointNames the ROS names of the arm's joints, in the simulator's joint order
   * @param clock the monotonic clock the simulator's ticks use
   */
  TrajectoryFollower(List<String> jointNames, MonotonicClock clock) {
    this.jointNames = List.copyOf(jointNames);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.player = new ChunkPlayer(clock);
  }

  /**
   * Takes a trajectory.
   *
   * @param wallNowNanos the wall clock now (ROS time), to place a stamped trajectory's start
   * @param currentRad measured positions now, in simulator order: the interpolation starts there
   * @return empty when accepted, else why it was refused
   */
  Optional<String> offer(JointTrajectory t, long wallNowNanos, double[] currentRad) {
    long now = clock.nanoTime();
    if (t.points().isEmpty()) {
      player.clear();
      return Optional.empty();
    }
    int n = jointNames.size();
    int[] index = new int[n];
    for (int j = 0; j < n; j++) {
      index[j] = t.jointNames().indexOf(jointNames.get(j));
      if (index[j] < 0) {
        return Optional.of(
            "joint_names "
                + t.jointNames()
                + " lack '"
                + jointNames.get(j)
                + "' (this arm has "
                + jointNames
                + ")");
      }
    }
    for (String name : t.jointNames()) {
      if (!jointNames.contains(name)) {
        return Optional.of("unknown joint '" + name + "' (this arm has " + jointNames + ")");
      }
    }
    if (t.jointNames().size() != n) {
      return Optional.of("joint_names " + t.jointNames() + " repeat a joint");
    }
    List<ActionPoint> points = new ArrayList<>();
    long last = -1;
    for (int i = 0; i < t.points().size(); i++) {
      JointTrajectoryPoint p = t.points().get(i);
      if (p.positions().isEmpty()) {
        return Optional.of(
            "points[" + i + "] has no positions (only position control is supported)");
      }
      long tfs = p.timeFromStart().toNanos();
      if (tfs < 0 || tfs <= last) {
        return Optional.of(
            "points["
                + i
                + "].time_from_start "
                + tfs / 1e9
                + " s is negative or not after the previous point's");
      }
      last = tfs;
      double[] q = new double[n];
      for (int j = 0; j < n; j++) {
        q[j] = p.positions().get(index[j]);
        if (!Double.isFinite(q[j])) {
          return Optional.of("points[" + i + "].positions[" + index[j] + "] is not finite");
        }
      }
      points.add(new ActionPoint(q, tfs));
    }
    long stamp = t.header().stamp().toNanos();
    long start = stamp == 0 ? now : now + (stamp - wallNowNanos);
    ActionChunk chunk =
        new ActionChunk(
            jointNames,
            points,
            Long.MAX_VALUE,
            null,
            null,
            null,
            "ros:" + t.header().frameId(),
            null);
    if (!player.offer(chunk, start, currentRad.clone())) {
      return Optional.of("it starts no later than the trajectory being followed");
    }
    return Optional.empty();
  }

  /** The joint targets now, in simulator order; empty when the arm should hold. */
  Optional<double[]> targetAt(long nowNanos) {
    return player.targetAt(nowNanos);
  }

  /** Forgets the current trajectory (a new episode). */
  void clear() {
    player.clear();
  }
}
