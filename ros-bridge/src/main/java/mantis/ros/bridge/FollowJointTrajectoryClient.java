package mantis.ros.bridge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import mantis.ros.msg.FollowJointTrajectoryActionFeedback;
import mantis.ros.msg.FollowJointTrajectoryActionGoal;
import mantis.ros.msg.FollowJointTrajectoryActionResult;
import mantis.ros.msg.FollowJointTrajectoryGoal;
import mantis.ros.msg.FollowJointTrajectoryResult;
import mantis.ros.msg.GoalId;
import mantis.ros.msg.GoalStatus;
import mantis.ros.msg.GoalStatusArray;
import mantis.ros.msg.Header;
import mantis.ros.msg.JointTolerance;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.RosDuration;
import mantis.ros.msg.RosTime;
import org.slf4j.Logger;

/**
 * A {@code control_msgs/FollowJointTrajectory} action client over plain topics, as actionlib's
 * {@code ActionClient} speaks it: goals go out on {@code <ns>/goal}, cancels on {@code
 * <ns>/cancel}; the server's {@code <ns>/status}, {@code <ns>/feedback} and {@code <ns>/result}
 * come in through {@link #onStatus}, {@link #onFeedback} and {@link #onResult}. It does no I/O
 * itself: {@link BridgeNode} wires the two outputs to ROS publishers and the three inputs to
 * subscribers, and tests call them directly.
 *
 * <p>Goals: every trajectory becomes one goal ({@link #send}) with velocities at every point
 * ({@link Convert#withVelocities}), the configured tolerances for every joint (none when all zero:
 * the server's defaults) and {@code goal_time_tolerance}. Its id is unique as actionlib makes them:
 * {@code <caller id>-<counter>-<secs>.<nsecs>}, stamped with ROS time now. A new goal preempts the
 * previous one on the server (actionlib's SimpleActionServer and joint_trajectory_controller both
 * do), so no cancel is sent for it: a cancel racing the new goal could stop the arm between chunks.
 *
 * <p>Cancels ({@link #cancel}): every goal of this client not yet known to be finished is cancelled
 * by id with a zero stamp (a non-zero stamp would also cancel every other client's goals stamped
 * before it). joint_trajectory_controller then holds the arm where it is.
 *
 * <p>Results: SUCCEEDED with {@code error_code} 0 and PREEMPTED are normal (DEBUG). ABORTED,
 * REJECTED, or any result whose {@code error_code} is not 0 is a failure: one WARN with the goal
 * id, the status, the code's name and number and the server's {@code error_string}, counted in
 * {@link #counts()} and shown in {@link #statusText()} (the bridge's heartbeat) until the next
 * success. Feedback keeps the largest absolute joint error of the newest message. Thread-safe.
 */
final class FollowJointTrajectoryClient {
  /** Goals remembered until the server reports them finished; older ones are forgotten. */
  static final int MAX_OPEN_GOALS = 32;

  private final String callerId;
  private final String idPrefix;
  private final BridgeConfig.Controller config;
  private final Consumer<FollowJointTrajectoryActionGoal> goals;
  private final Consumer<GoalId> cancels;
  private final LongSupplier stampNanos;
  private final Logger log;
  private final Object lock = new Object();

  // Guarded by lock.
  private long counter;
  private final Map<String, Integer> open = new LinkedHashMap<>();
  private String lastGoalId;
  private long goalsSent;
  private long cancelsSent;
  private long succeeded;
  private long preempted;
  private long aborted;
  private long rejected;
  private long failures;
  private long feedbacks;
  private double lastErrorRad = Double.NaN;
  private String lastFailure;
  private boolean failing;

  /**
   * @param callerId this node's name, the goal ids' prefix
   * @param config the action's namespace and tolerances
   * @param goals publishes on {@code <ns>/goal}
   * @param cancels publishes on {@code <ns>/cancel}
   * @param stampNanos ROS time now, ns since the epoch
   * @param log where results and failures are logged
   */
  FollowJointTrajectoryClient(
      String callerId,
      BridgeConfig.Controller config,
      Consumer<FollowJointTrajectoryActionGoal> goals,
      Consumer<GoalId> cancels,
      LongSupplier stampNanos,
      Logger log) {
    this.callerId = Objects.requireNonNull(callerId, "callerId");
    this.idPrefix = callerId + "-";
    this.config = Objects.requireNonNull(config, "config");
    this.goals = Objects.requireNonNull(goals, "goals");
    this.cancels = Objects.requireNonNull(cancels, "cancels");
    this.stampNanos = Objects.requireNonNull(stampNanos, "stampNanos");
    this.log = Objects.requireNonNull(log, "log");
  }

  /** The action's namespace. */
  String namespace() {
    return config.actionNs().orElseThrow();
  }

  /**
   * Sends {@code trajectory} as a new goal, which preempts the previous one on the server.
   *
   * @return the goal's id
   * @throws IllegalArgumentException when the trajectory has no points or its times do not increase
   */
  String send(JointTrajectory trajectory) {
    if (trajectory.points().isEmpty()) {
      throw new IllegalArgumentException("a FollowJointTrajectory goal needs at least one point");
    }
    JointTrajectory withVelocities = Convert.withVelocities(trajectory);
    List<String> joints = trajectory.jointNames();
    FollowJointTrajectoryGoal goal =
        new FollowJointTrajectoryGoal(
            withVelocities,
            tolerances(config.pathTolerance(), joints),
            tolerances(config.goalTolerance(), joints),
            RosDuration.ofNanos(config.goalTimeToleranceMs() * 1_000_000L));
    RosTime now = RosTime.ofNanos(Math.max(0, stampNanos.getAsLong()));
    String id;
    synchronized (lock) {
      counter++;
      id = idPrefix + counter + "-" + now.secs() + "." + String.format("%09d", now.nsecs());
      open.put(id, GoalStatus.PENDING);
      while (open.size() > MAX_OPEN_GOALS) {
        open.remove(open.keySet().iterator().next());
      }
      lastGoalId = id;
      goalsSent++;
    }
    goals.accept(
        new FollowJointTrajectoryActionGoal(new Header(0, now, ""), new GoalId(now, id), goal));
    return id;
  }

  /**
   * Cancels every goal of this client that the server has not reported finished.
   *
   * @return how many cancels were sent
   */
  int cancel(String reason) {
    List<String> ids;
    synchronized (lock) {
      ids = new ArrayList<>(open.keySet());
      cancelsSent += ids.size();
    }
    for (String id : ids) {
      cancels.accept(new GoalId(RosTime.ZERO, id));
    }
    if (!ids.isEmpty()) {
      log.info("FollowJointTrajectory: cancelling goal(s) {} in {}: {}", ids, namespace(), reason);
    }
    return ids.size();
  }

  /** {@code <ns>/status}: forgets this client's goals that the server reports finished. */
  void onStatus(GoalStatusArray status) {
    synchronized (lock) {
      for (GoalStatus s : status.statusList()) {
        String id = s.goalId().id();
        if (open.containsKey(id)) {
          if (s.terminal()) {
            open.remove(id);
          } else {
            open.put(id, s.status());
          }
        }
      }
    }
  }

  /** {@code <ns>/feedback}: keeps the newest largest joint error of this client's goals. */
  void onFeedback(FollowJointTrajectoryActionFeedback feedback) {
    if (!feedback.status().goalId().id().startsWith(idPrefix)) {
      return;
    }
    double max = 0;
    for (double e : feedback.feedback().error().positions()) {
      max = Math.max(max, Math.abs(e));
    }
    synchronized (lock) {
      feedbacks++;
      lastErrorRad = max;
    }
  }

  /** {@code <ns>/result}: counts, and logs failures. */
  void onResult(FollowJointTrajectoryActionResult result) {
    String id = result.status().goalId().id();
    if (!id.startsWith(idPrefix)) {
      return; // another client's goal
    }
    int status = result.status().status();
    int code = result.result().errorCode();
    boolean failed =
        status == GoalStatus.ABORTED
            || status == GoalStatus.REJECTED
            || code != FollowJointTrajectoryResult.SUCCESSFUL;
    String text =
        "FollowJointTrajectory goal "
            + id
            + " "
            + GoalStatus.name(status)
            + ": error_code "
            + code
            + " ("
            + FollowJointTrajectoryResult.codeName(code)
            + ")"
            + (result.result().errorString().isEmpty()
                ? ""
                : ", error_string \"" + result.result().errorString() + "\"")
            + (result.status().text().isEmpty()
                ? ""
                : ", status text \"" + result.status().text() + "\"");
    synchronized (lock) {
      open.remove(id);
      switch (status) {
        case GoalStatus.SUCCEEDED:
          succeeded++;
          break;
        case GoalStatus.PREEMPTED:
        case GoalStatus.RECALLED:
          preempted++;
          break;
        case GoalStatus.ABORTED:
          aborted++;
          break;
        case GoalStatus.REJECTED:
          rejected++;
          break;
        default:
          break;
      }
      if (failed) {
        failures++;
        lastFailure = text;
        failing = true;
      } else if (status == GoalStatus.SUCCEEDED) {
        failing = false;
      }
    }
    if (failed) {
      log.warn("{}", text);
    } else {
      log.debug("{}", text);
    }
  }

  /** Counters of the goals and their outcomes. */
  record Counts(
      long goalsSent,
      long cancelsSent,
      long succeeded,
      long preempted,
      long aborted,
      long rejected,
      long failures,
      long feedbacks) {}

  Counts counts() {
    synchronized (lock) {
      return new Counts(
          goalsSent, cancelsSent, succeeded, preempted, aborted, rejected, failures, feedbacks);
    }
  }

  /** The newest failure's log text, if any. */
  java.util.Optional<String> lastFailure() {
    synchronized (lock) {
      return java.util.Optional.ofNullable(lastFailure);
    }
  }

  /** The newest goal's id, if any was sent. */
  java.util.Optional<String> lastGoalId() {
    synchronized (lock) {
      return java.util.Optional.ofNullable(lastGoalId);
    }
  }

  /** Ids of this client's goals not yet reported finished, oldest first. */
  List<String> openGoals() {
    synchronized (lock) {
      return List.copyOf(open.keySet());
    }
  }

  /**
   * The action's part of the heartbeat: {@code action_goals=N action_succeeded=N action_preempted=N
   * action_aborted=N action_rejected=N action_failures=N action_cancels=N}, the newest feedback's
   * largest joint error, and while the newest result was a failure, {@code action_error="..."}.
   */
  String statusText() {
    synchronized (lock) {
      StringBuilder sb =
          new StringBuilder()
              .append("action_goals=")
              .append(goalsSent)
              .append(" action_succeeded=")
              .append(succeeded)
              .append(" action_preempted=")
              .append(preempted)
              .append(" action_aborted=")
              .append(aborted)
              .append(" action_rejected=")
              .append(rejected)
              .append(" action_failures=")
              .append(failures)
              .append(" action_cancels=")
              .append(cancelsSent);
      if (!Double.isNaN(lastErrorRad)) {
        sb.append(" action_max_error=")
            .append(String.format(java.util.Locale.ROOT, "%.4f", lastErrorRad));
      }
      if (failing && lastFailure != null) {
        sb.append(" action_error=\"").append(lastFailure.replace('"', '\'')).append('"');
      }
      return sb.toString();
    }
  }

  private static List<JointTolerance> tolerances(BridgeConfig.Tolerance t, List<String> joints) {
    if (t.isDefault()) {
      return List.of();
    }
    List<JointTolerance> out = new ArrayList<>(joints.size());
    for (String j : joints) {
      out.add(new JointTolerance(j, t.position(), t.velocity(), t.acceleration()));
    }
    return out;
  }

  @Override
  public String toString() {
    return "FollowJointTrajectory client " + callerId + " -> " + namespace();
  }
}
