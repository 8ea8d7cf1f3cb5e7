package mantis.model.policy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import mantis.calibration.CameraModel;
import mantis.calibration.TablePoint;
import mantis.calibration.Vec3;
import mantis.core.Mark;
import mantis.core.PixelPoint;

/**
 * The effector's plan learned from action-free video in a goal-relative frame: where the effector
 * goes next, as a function of where it is relative to the grounded object and where the object
 * should end up, in table metres seen through the camera.
 *
 * <p>What it learns, all from annotated video (frames, instruction, Set-of-Mark marks with the
 * object, goal and effector marks, the tracked marks' futures; no actions):
 *
 * <ul>
 *   <li>which kind of goal an instruction names (a word model: naive Bayes over the instruction's
 *       words, the label read from the video itself: the target zone is marked, or the object moved
 *       less than {@value #STILL_M} m, or it moved);
 *   <li>for instructions that name a direction: the object's displacement that the instruction's
 *       most telling word asks for (the mean over the video of the object's net displacement, per
 *       word);
 *   <li>a memory of (state, effector future) pairs, one per video frame, per goal kind: the state
 *       is the effector's position from the object, the goal's position from the object (table
 *       metres) and the object mark's fill ratio (blocks fill their box, discs do not); the future
 *       is the effector mark's next K positions, one chunk period apart, from where it is now. Both
 *       are kept in the {@link Frame} the plan was fit in (by default turned to the goal's
 *       direction and mirrored);
 *   <li>per phrase of the instructions, what the marks it named looked like, so that {@link
 *       #ground} can pick the target zone an instruction names.
 * </ul>
 *
 * <p>Planning ({@link #plan}) reads the network's grounding (the object and goal marks) and where
 * the effector is (served on an arm: its tip from the joints, which is where the arm is even when
 * its mark is not; in video: its mark), finds the {@link #neighbours()} nearest remembered states
 * of the instruction's goal kind and averages their futures (weights 1 / (distance + 1 cm)); the
 * result is the effector's trace in pixels (unprojected through the camera, planned in metres,
 * projected back). Immutable and thread-safe.
 */
public final class GoalFramePlan {
  /** The bundle file that holds a plan. */
  public static final String FILE = "goal-frame.bin";

  /** An object that moved less than this (metres) over a video episode was reached, not pushed. */
  static final double STILL_M = 0.03;

  /** Height of the effector's mark above the table on the arm (the top of its pusher), metres. */
  static final double EFFECTOR_Z_M = 0.035;

  /** Height at which an object mark's centroid is unprojected, metres. */
  static final double OBJECT_Z_M = 0.025;

  private static final int MAGIC = 0x4D474650; // "MGFP"
  private static final int VERSION = 3;

  /**
   * How far past the video's mean displacement a direction push aims, as a multiple of it. The
   * video stops as soon as the task holds, short of where the pusher was heading, so the seen
   * displacement understates the aim; aiming short turns the last part of a push sideways whenever
   * the object drifts off its line. Chosen on validation seeds (1.3 to 2.2 did alike, 1.0 worse).
   */
  public static final double DEFAULT_DIRECTION_AIM = 1.8;

  /** Fill ratio (mark area over its box) above which an object is taken for a block. */
  static final double BLOCK_FILL = 0.88;

  /** Below this distance (metres) from the object, the goal gives no direction to turn into. */
  static final double NO_DIRECTION_M = 0.01;

  /**
   * State dimensions: effector from object (2), goal from object (2), fill ratio (1), the
   * effector's velocity (2).
   */
  static final int STATE = 7;

  /** Neighbours averaged by default (fewer blur less; chosen on validation seeds 900,000..). */
  public static final int DEFAULT_NEIGHBOURS = 2;

  /** Default weight of the effector's velocity in the state distance, seconds. */
  static final double VELOCITY_WEIGHT_S = 0.1;

  /**
   * Fastest the effector's mark may move between two frames, m/s: faster is a tracking slip (the
   * mark jumping along the arm), and frames whose state or future holds one are not remembered.
   */
  static final double MAX_SPEED_M_PER_S = 0.6;

  /** A planned point closer than this to the start (metres) counts as not moving yet. */
  static final double STILL_STEP_M = 0.004;

  /**
   * A video future that ends within this of its start (metres) and never leaves {@link
   * #HESITATION_REACH_M} of it is a hesitation: the demonstrator dithering or stuck (the video's
   * arm moves up to 0.4 m/s; a trace covers 0.8 s). It is not remembered: a plan that remembers
   * hesitating hesitates again in the same state, and stays there. Chosen on validation seeds
   * 940,000.. (400 per push family; ends within 1, 1.5, 2, 2.5, 3, 4 and 5 cm compared: the push
   * families gained up to 3 cm, and the direction pushes lost beyond), confirmed on 950,000..
   */
  static final double HESITATION_END_M = 0.03;

  /** See {@link #HESITATION_END_M}, metres. */
  static final double HESITATION_REACH_M = 0.035;

  /** Futures whose end lies within this of the chosen one's (metres) are averaged with it. */
  static final double MODE_RADIUS_M = 0.03;

  /**
   * The axes the memory is kept in. {@link #TABLE}: the table's own x and y. {@link #GOAL}: turned
   * so that x points from the object to its goal (for a reach, to the effector), for a block to the
   * nearest table axis of that direction (blocks are pushed one table axis at a time), and mirrored
   * so the effector is never on the right of that axis; a push seen once in video then counts for
   * every direction it could have been made in.
   */
  public enum Frame {
    /** The table's axes. */
    TABLE,
    /** The goal's direction, mirrored to the effector's side. */
    GOAL
  }

  /** The marks an instruction names: the object to move, and the zone to move it onto. */
  public enum Role {
    /** The object to reach or push. */
    OBJECT,
    /** The target zone. */
    GOAL
  }

  /** Values describing a mark for grounding: red, green, blue (0..1), fill ratio, log area. */
  static final int DESCRIPTOR = 5;

  /** Video episodes a phrase needs before it may ground a mark. */
  static final int MIN_PHRASE_EPISODES = 5;

  /**
   * A phrase whose marks vary more than this share of all named marks' variance (the geometric mean
   * over the descriptor's values) does not tell which mark it names.
   */
  static final double MAX_PHRASE_SPREAD = 0.5;

  /** The kinds of goal an instruction can name. */
  public enum GoalKind {
    /** Touch the object: the goal is the object itself. */
    REACH,
    /** Push the object some way in a direction. */
    DIRECTION,
    /** Push the object onto a marked target zone. */
    TARGET
  }

  private final int traceLength;
  private final int neighbours;
  private final double goalWeight;
  private final double fillWeight;
  private final double velocityWeightS;
  private final Frame frame;
  private final double directionAim;
  private final Map<String, double[]> wordKindCounts; // word -> counts per kind
  private final double[] kindCounts; // episodes per kind
  private final double[] kindWords; // word occurrences per kind
  private final Map<String, double[]> wordDisplacement; // word -> {sum dx, sum dy, episodes}
  // per role: phrase (a word or two adjacent words; "" for every episode) -> {episodes, sum of
  // the named mark's descriptor, sum of its squares}
  private final List<Map<String, double[]>> phraseMarks;
  private final float[][] states; // per kind: n x STATE
  private final float[][] futures; // per kind: n x 2K

  private GoalFramePlan(
      int traceLength,
      int neighbours,
      double goalWeight,
      double fillWeight,
      double velocityWeightS,
      Frame frame,
      double directionAim,
      Map<String, double[]> wordKindCounts,
      double[] kindCounts,
      double[] kindWords,
      Map<String, double[]> wordDisplacement,
      List<Map<String, double[]>> phraseMarks,
      float[][] states,
      float[][] futures) {
    this.traceLength = traceLength;
    this.neighbours = neighbours;
    this.goalWeight = goalWeight;
    this.fillWeight = fillWeight;
    this.velocityWeightS = velocityWeightS;
    this.frame = frame;
    this.directionAim = directionAim;
    this.wordKindCounts = wordKindCounts;
    this.kindCounts = kindCounts;
    this.kindWords = kindWords;
    this.wordDisplacement = wordDisplacement;
    this.phraseMarks = phraseMarks;
    this.states = new float[states.length][];
    this.futures = new float[futures.length][];
    for (int k = 0; k < states.length; k++) {
      sortByFirst(states[k], futures[k], 2 * traceLength, k, this.states, this.futures);
    }
  }

  /**
   * Copies one kind's memory sorted by the state's first value (the effector's x from the object),
   * which lets {@link #plan} stop scanning once that value alone is further than the neighbours
   * found.
   */
  private static void sortByFirst(
      float[] st, float[] fu, int w2, int kind, float[][] outStates, float[][] outFutures) {
    int n = st.length / STATE;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Float.compare(st[a * STATE], st[b * STATE]));
    float[] s2 = new float[st.length];
    float[] f2 = new float[fu.length];
    for (int i = 0; i < n; i++) {
      System.arraycopy(st, order[i] * STATE, s2, i * STATE, STATE);
      System.arraycopy(fu, order[i] * w2, f2, i * w2, w2);
    }
    outStates[kind] = s2;
    outFutures[kind] = f2;
  }

  /** Trace points planned (K). */
  public int traceLength() {
    return traceLength;
  }

  /**
   * Where a direction push aims: the instruction's seen displacement times this (see {@link
   * #DEFAULT_DIRECTION_AIM}).
   */
  public double directionAim() {
    return directionAim;
  }

  /** The axes the memory is kept in. */
  public Frame frame() {
    return frame;
  }

  /** Remembered states averaged per plan. */
  public int neighbours() {
    return neighbours;
  }

  /** Remembered states of each goal kind. */
  public int size(GoalKind kind) {
    return states[kind.ordinal()].length / STATE;
  }

  /** A copy that averages {@code k} neighbours. */
  public GoalFramePlan withNeighbours(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("neighbours must be >= 1, got " + k);
    }
    return new GoalFramePlan(
        traceLength,
        k,
        goalWeight,
        fillWeight,
        velocityWeightS,
        frame,
        directionAim,
        wordKindCounts,
        kindCounts,
        kindWords,
        wordDisplacement,
        phraseMarks,
        states,
        futures);
  }

  /**
   * A copy whose state distance weighs the goal's offset by {@code goal}, the fill ratio by {@code
   * fill} and the effector's velocity by {@code velocityS} seconds (the effector's offset weighs
   * 1).
   */
  public GoalFramePlan withWeights(double goal, double fill, double velocityS) {
    if (!(goal > 0) || !(fill > 0) || !(velocityS > 0)) {
      throw new IllegalArgumentException(
          "weights must be > 0, got goal " + goal + ", fill " + fill + ", velocity " + velocityS);
    }
    float[][] st = new float[states.length][];
    for (int k = 0; k < states.length; k++) {
      st[k] = states[k].clone();
      for (int i = 0; i < st[k].length; i += STATE) {
        st[k][i + 2] = (float) (st[k][i + 2] / goalWeight * goal);
        st[k][i + 3] = (float) (st[k][i + 3] / goalWeight * goal);
        st[k][i + 4] = (float) (st[k][i + 4] / fillWeight * fill);
        st[k][i + 5] = (float) (st[k][i + 5] / velocityWeightS * velocityS);
        st[k][i + 6] = (float) (st[k][i + 6] / velocityWeightS * velocityS);
      }
    }
    return new GoalFramePlan(
        traceLength,
        neighbours,
        goal,
        fill,
        velocityS,
        frame,
        directionAim,
        wordKindCounts,
        kindCounts,
        kindWords,
        wordDisplacement,
        phraseMarks,
        st,
        futures);
  }

  // ----------------------------------------------------------------------------------------------
  // learning

  /**
   * Learns a plan from video episodes.
   *
   * @param episodes each a list of one episode's examples in time order, one chunk period apart,
   *     with the object and effector mark labels and the mark motion (as {@code PolicyDataRecorder}
   *     records video); examples without them are skipped
   * @param camera the camera that took the frames, at the examples' frame size
   * @param traceLength K, the effector trace points per example
   * @param periodS time between two frames (and two trace points), seconds
   * @throws IllegalArgumentException when no example can be used
   */
  public static GoalFramePlan fit(
      List<List<PolicyExample>> episodes, CameraModel camera, int traceLength, double periodS) {
    return fit(episodes, camera, traceLength, periodS, Frame.GOAL);
  }

  /**
   * Like {@link #fit(List, CameraModel, int, double)}, with the memory kept in {@code frame}'s
   * axes.
   */
  public static GoalFramePlan fit(
      List<List<PolicyExample>> episodes,
      CameraModel camera,
      int traceLength,
      double periodS,
      Frame frame) {
    Objects.requireNonNull(camera, "camera");
    Objects.requireNonNull(frame, "frame");
    if (traceLength < 1) {
      throw new IllegalArgumentException("traceLength must be >= 1");
    }
    if (!(periodS > 0)) {
      throw new IllegalArgumentException("periodS must be > 0");
    }
    int kinds = GoalKind.values().length;
    Map<String, double[]> wordKind = new LinkedHashMap<>();
    double[] kindCounts = new double[kinds];
    double[] kindWords = new double[kinds];
    Map<String, double[]> wordDisp = new LinkedHashMap<>();
    List<GoalKind> episodeKinds = new ArrayList<>();
    List<Map<String, double[]>> phrases = new ArrayList<>();
    for (int r = 0; r < Role.values().length; r++) {
      phrases.add(new LinkedHashMap<>());
    }
    for (List<PolicyExample> ep : episodes) {
      double[] displacement = netDisplacement(ep, camera);
      GoalKind kind = ep.isEmpty() ? null : shownKind(ep, displacement);
      episodeKinds.add(kind);
      if (kind == null) {
        continue;
      }
      List<String> words = words(ep.get(0).instruction());
      countPhrases(ep, kind, words, phrases);
      kindCounts[kind.ordinal()]++;
      for (String w : words) {
        wordKind.computeIfAbsent(w, x -> new double[kinds])[kind.ordinal()]++;
        kindWords[kind.ordinal()]++;
      }
      if (kind == GoalKind.DIRECTION) {
        for (String w : new java.util.LinkedHashSet<>(words)) {
          double[] d = wordDisp.computeIfAbsent(w, x -> new double[3]);
          d[0] += displacement[0];
          d[1] += displacement[1];
          d[2] += 1;
        }
      }
    }
    GoalFramePlan lexicon =
        new GoalFramePlan(
            traceLength,
            DEFAULT_NEIGHBOURS,
            1.0,
            0.1,
            VELOCITY_WEIGHT_S,
            frame,
            DEFAULT_DIRECTION_AIM,
            wordKind,
            kindCounts,
            kindWords,
            wordDisp,
            phrases,
            new float[kinds][0],
            new float[kinds][0]);
    List<List<float[]>> st = new ArrayList<>();
    List<List<float[]>> fu = new ArrayList<>();
    for (int k = 0; k < kinds; k++) {
      st.add(new ArrayList<>());
      fu.add(new ArrayList<>());
    }
    for (int i = 0; i < episodes.size(); i++) {
      GoalKind kind = episodeKinds.get(i);
      if (kind == null) {
        continue;
      }
      List<PolicyExample> ep = episodes.get(i);
      int n = ep.size();
      // The effector on the table in every frame; the futures run past the episode's end by
      // continuing its last motion (the video stops at success, while the effector was still
      // moving into the object or pushing it).
      double[][] eff = new double[n][];
      for (int t = 0; t < n; t++) {
        int em = ep.get(t).labels().effectorMark();
        if (em >= 0) {
          Optional<TablePoint> p =
              camera.pixelToTable(ep.get(t).marks().get(em).centroid(), EFFECTOR_Z_M);
          eff[t] = p.map(q -> new double[] {q.xM(), q.yM()}).orElse(null);
        }
      }
      double[] endVelocity =
          n >= 2 && eff[n - 1] != null && eff[n - 2] != null
              ? new double[] {eff[n - 1][0] - eff[n - 2][0], eff[n - 1][1] - eff[n - 2][1]}
              : new double[2];
      for (int t = 0; t < n; t++) {
        PolicyExample e = ep.get(t);
        PolicyLabels l = e.labels();
        if (l.objectMark() < 0 || l.effectorMark() < 0 || eff[t] == null) {
          continue;
        }
        int goal = kind == GoalKind.TARGET ? l.goalMark() : -1;
        if (kind == GoalKind.TARGET && goal < 0) {
          continue;
        }
        double[] velocity =
            t > 0 && eff[t - 1] != null
                ? new double[] {
                  (eff[t][0] - eff[t - 1][0]) / periodS, (eff[t][1] - eff[t - 1][1]) / periodS
                }
                : new double[2];
        Optional<double[]> s =
            lexicon.state(
                kind,
                e.instruction(),
                e.marks(),
                l.objectMark(),
                goal,
                e.marks().get(l.effectorMark()).centroid(),
                velocity,
                firstObject(ep),
                camera);
        if (s.isEmpty()) {
          continue;
        }
        if (jumps(eff, t, traceLength, MAX_SPEED_M_PER_S * periodS)) {
          continue;
        }
        float[] future = future(eff, endVelocity, t, traceLength);
        if (future == null || hesitates(future)) {
          continue;
        }
        double[] axes = s.get();
        for (int k = 0; k < traceLength; k++) {
          double[] f = toFrame(axes, future[2 * k], future[2 * k + 1]);
          future[2 * k] = (float) f[0];
          future[2 * k + 1] = (float) f[1];
        }
        float[] state = new float[STATE];
        for (int d = 0; d < STATE; d++) {
          state[d] = (float) s.get()[d];
        }
        st.get(kind.ordinal()).add(state);
        fu.get(kind.ordinal()).add(future);
      }
    }
    float[][] states = new float[kinds][];
    float[][] futures = new float[kinds][];
    long total = 0;
    for (int k = 0; k < kinds; k++) {
      List<float[]> s = st.get(k);
      states[k] = new float[s.size() * STATE];
      futures[k] = new float[s.size() * 2 * traceLength];
      for (int i = 0; i < s.size(); i++) {
        System.arraycopy(s.get(i), 0, states[k], i * STATE, STATE);
        System.arraycopy(fu.get(k).get(i), 0, futures[k], i * 2 * traceLength, 2 * traceLength);
      }
      total += s.size();
    }
    if (total == 0) {
      throw new IllegalArgumentException(
          "no usable video example (each needs the object and effector marks and the effector's"
              + " trace)");
    }
    return new GoalFramePlan(
        traceLength,
        lexicon.neighbours,
        lexicon.goalWeight,
        lexicon.fillWeight,
        lexicon.velocityWeightS,
        frame,
        lexicon.directionAim,
        wordKind,
        kindCounts,
        kindWords,
        wordDisp,
        phrases,
        states,
        futures);
  }

  /**
   * Adds one video episode's named marks (its first frame that labels them) to every phrase of its
   * instruction and to the "" entry.
   */
  private static void countPhrases(
      List<PolicyExample> ep, GoalKind kind, List<String> words, List<Map<String, double[]>> out) {
    List<String> phrases = phrases(words);
    for (Role role : Role.values()) {
      if (role == Role.GOAL && kind != GoalKind.TARGET) {
        continue;
      }
      for (PolicyExample e : ep) {
        int m = role == Role.OBJECT ? e.labels().objectMark() : e.labels().goalMark();
        if (m < 0 || m >= e.marks().size()) {
          continue;
        }
        Map<String, double[]> byPhrase = out.get(role.ordinal());
        double[] d = descriptor(e.marks().get(m));
        for (String ph : phrases) {
          add(byPhrase, ph, d);
        }
        break;
      }
    }
  }

  private static void add(Map<String, double[]> byPhrase, String phrase, double[] d) {
    double[] acc = byPhrase.computeIfAbsent(phrase, x -> new double[1 + 2 * DESCRIPTOR]);
    acc[0]++;
    for (int i = 0; i < DESCRIPTOR; i++) {
      acc[1 + i] += d[i];
      acc[1 + DESCRIPTOR + i] += d[i] * d[i];
    }
  }

  /** An instruction's phrases: "", each word, each two adjacent words; no repeats. */
  static List<String> phrases(List<String> words) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    out.add("");
    for (int i = 0; i < words.size(); i++) {
      out.add(words.get(i));
      if (i + 1 < words.size()) {
        out.add(words.get(i) + " " + words.get(i + 1));
      }
    }
    return new ArrayList<>(out);
  }

  /** A mark's grounding descriptor (see {@link #DESCRIPTOR}). */
  static double[] descriptor(Mark m) {
    int rgb = m.meanRgb();
    return new double[] {
      ((rgb >> 16) & 0xFF) / 255.0,
      ((rgb >> 8) & 0xFF) / 255.0,
      (rgb & 0xFF) / 255.0,
      fillRatio(m),
      Math.log1p(Math.max(0, m.areaPx()))
    };
  }

  /** How much of its box a mark fills (blocks about 1, discs about 0.79), at most 1. */
  static double fillRatio(Mark m) {
    double box = Math.max(1e-9, m.box().widthPx() * m.box().heightPx());
    return Math.min(1.0, m.areaPx() / box);
  }

  /**
   * The mark an instruction names in {@code role}, learned from video: the instruction's most
   * telling phrase (seen in at least {@value #MIN_PHRASE_EPISODES} video episodes, its marks
   * varying least against all named marks of the role) and the mark most like that phrase's marks
   * (a normal model per descriptor value). Empty when no phrase tells (or the plan was learned
   * without grounding).
   *
   * @param exclude a mark that cannot be the answer (the object, when grounding the goal), or -1
   */
  public java.util.OptionalInt ground(
      Role role, String instruction, List<Mark> marks, int exclude) {
    Map<String, double[]> m = phraseMarks.get(role.ordinal());
    double[] all = m.get("");
    if (all == null || all[0] < 2 || marks.isEmpty()) {
      return java.util.OptionalInt.empty();
    }
    double[] allVar = variance(all);
    // Values that never vary over the video's marks tell nothing.
    boolean[] tells = new boolean[DESCRIPTOR];
    int telling = 0;
    for (int i = 0; i < DESCRIPTOR; i++) {
      tells[i] = allVar[i] > 1e-9;
      telling += tells[i] ? 1 : 0;
    }
    if (telling == 0) {
      return java.util.OptionalInt.empty();
    }
    double[] best = null;
    double bestSpread = Math.log(MAX_PHRASE_SPREAD);
    for (String ph : phrases(words(instruction))) {
      double[] acc = m.get(ph);
      if (ph.isEmpty() || acc == null || acc[0] < MIN_PHRASE_EPISODES) {
        continue;
      }
      double[] v = variance(acc);
      double spread = 0;
      for (int i = 0; i < DESCRIPTOR; i++) {
        // A phrase that pins one value down (its colour) tells even when others (its size) vary.
        spread += tells[i] ? Math.log((v[i] + 0.01 * allVar[i]) / allVar[i]) / telling : 0;
      }
      if (spread < bestSpread) {
        bestSpread = spread;
        best = acc;
      }
    }
    if (best == null) {
      return java.util.OptionalInt.empty();
    }
    double[] v = variance(best);
    int pick = -1;
    double pickD = Double.POSITIVE_INFINITY;
    for (int j = 0; j < marks.size(); j++) {
      if (j == exclude) {
        continue;
      }
      double[] d = descriptor(marks.get(j));
      double dist = 0;
      for (int i = 0; i < DESCRIPTOR; i++) {
        double x = d[i] - best[1 + i] / best[0];
        dist += tells[i] ? x * x / (v[i] + 0.01 * allVar[i]) : 0;
      }
      if (dist < pickD) {
        pickD = dist;
        pick = j;
      }
    }
    return pick < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(pick);
  }

  private static double[] variance(double[] acc) {
    double[] v = new double[DESCRIPTOR];
    double n = Math.max(1, acc[0]);
    for (int i = 0; i < DESCRIPTOR; i++) {
      double mean = acc[1 + i] / n;
      v[i] = Math.max(0, acc[1 + DESCRIPTOR + i] / n - mean * mean);
    }
    return v;
  }

  /**
   * The effector's next {@code traceLength} positions after frame t, from where it is at t (table
   * metres, {dx, dy} per point); past the episode's end its last motion continues. Null when a
   * position is unknown.
   */
  private static float[] future(double[][] eff, double[] endVelocity, int t, int traceLength) {
    int n = eff.length;
    float[] future = new float[2 * traceLength];
    for (int k = 0; k < traceLength; k++) {
      int at = t + k + 1;
      double[] p;
      if (at < n) {
        p = eff[at];
      } else {
        double[] last = eff[n - 1];
        double steps = at - n + 1;
        p =
            last == null
                ? null
                : new double[] {last[0] + steps * endVelocity[0], last[1] + steps * endVelocity[1]};
      }
      if (p == null) {
        return null;
      }
      future[2 * k] = (float) (p[0] - eff[t][0]);
      future[2 * k + 1] = (float) (p[1] - eff[t][1]);
    }
    return future;
  }

  /**
   * Whether a future is a hesitation: it ends within {@value #HESITATION_END_M} m of its start and
   * stays within {@value #HESITATION_REACH_M} m of it throughout.
   */
  private static boolean hesitates(float[] future) {
    int n = future.length;
    if (Math.hypot(future[n - 2], future[n - 1]) >= HESITATION_END_M) {
      return false;
    }
    for (int k = 0; k + 1 < n; k += 2) {
      if (Math.hypot(future[k], future[k + 1]) >= HESITATION_REACH_M) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the effector's track jumps (a step longer than {@code maxStepM}) from frame t - 1 to
   * frame t + traceLength (as far as the episode goes).
   */
  private static boolean jumps(double[][] eff, int t, int traceLength, double maxStepM) {
    int last = Math.min(eff.length - 1, t + traceLength);
    for (int i = Math.max(1, t); i <= last; i++) {
      if (eff[i] != null
          && eff[i - 1] != null
          && Math.hypot(eff[i][0] - eff[i - 1][0], eff[i][1] - eff[i - 1][1]) > maxStepM) {
        return true;
      }
    }
    return false;
  }

  /**
   * The goal kind a video episode shows: a target when a target zone is marked, else a reach or a
   * direction by how far the object moved; null when that is unknown.
   */
  private static GoalKind shownKind(List<PolicyExample> ep, double[] displacement) {
    for (PolicyExample e : ep) {
      if (e.labels().goalMark() >= 0) {
        return GoalKind.TARGET;
      }
    }
    if (displacement == null) {
      return null;
    }
    return Math.hypot(displacement[0], displacement[1]) < STILL_M
        ? GoalKind.REACH
        : GoalKind.DIRECTION;
  }

  /**
   * Where a video episode's object was first seen (its labelled mark in the first frame that has
   * one), or null. Not where its mark's motion says it started: the mark tracker renumbers a mark
   * it lost under the arm, and its motion then starts again.
   */
  private static PixelPoint firstObject(List<PolicyExample> ep) {
    for (PolicyExample e : ep) {
      int o = e.labels().objectMark();
      if (o >= 0 && o < e.marks().size()) {
        return e.marks().get(o).centroid();
      }
    }
    return null;
  }

  /** The object's net displacement over a video episode, table metres, or null when unknown. */
  private static double[] netDisplacement(List<PolicyExample> ep, CameraModel camera) {
    PixelPoint start = firstObject(ep);
    if (start == null) {
      return null;
    }
    for (int i = ep.size() - 1; i >= 0; i--) {
      PolicyExample e = ep.get(i);
      int o = e.labels().objectMark();
      if (o < 0 || o >= e.marks().size()) {
        continue;
      }
      PixelPoint now = e.marks().get(o).centroid();
      Optional<TablePoint> a = camera.pixelToTable(start, OBJECT_Z_M);
      Optional<TablePoint> b = camera.pixelToTable(now, OBJECT_Z_M);
      if (a.isEmpty() || b.isEmpty()) {
        return null;
      }
      return new double[] {b.get().xM() - a.get().xM(), b.get().yM() - a.get().yM()};
    }
    return null;
  }

  /** Where the object mark {@code object} of {@code e} was at the episode's start. */
  static PixelPoint objectStart(PolicyExample e, int object) {
    PixelPoint now = e.marks().get(object).centroid();
    double[] m = e.markMotionPx();
    if (m == null) {
      return now;
    }
    return new PixelPoint(now.xPx() - m[2 * object], now.yPx() - m[2 * object + 1]);
  }

  static List<String> words(String instruction) {
    List<String> out = new ArrayList<>();
    for (String w : instruction.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  // ----------------------------------------------------------------------------------------------
  // planning

  /** The kind of goal the instruction names (naive Bayes over its words, add-one smoothing). */
  public GoalKind kindOf(String instruction) {
    GoalKind[] kinds = GoalKind.values();
    double episodes = 0;
    for (double c : kindCounts) {
      episodes += c;
    }
    double vocab = Math.max(1, wordKindCounts.size());
    GoalKind best = GoalKind.REACH;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (GoalKind k : kinds) {
      int i = k.ordinal();
      if (kindCounts[i] == 0) {
        continue;
      }
      double score = Math.log(kindCounts[i] / episodes);
      for (String w : words(instruction)) {
        double[] c = wordKindCounts.get(w);
        double n = c == null ? 0 : c[i];
        score += Math.log((n + 1) / (kindWords[i] + vocab));
      }
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    return best;
  }

  /**
   * The displacement (table metres) a direction instruction asks of the object: the mean net
   * displacement of the video episodes sharing its most telling word (the largest mean among words
   * seen in at least 3 episodes), or empty when no word's mean reaches {@value #STILL_M} m.
   */
  public Optional<double[]> displacementOf(String instruction) {
    double[] best = null;
    double bestNorm = STILL_M;
    for (String w : words(instruction)) {
      double[] d = wordDisplacement.get(w);
      if (d == null || d[2] < 3) {
        continue;
      }
      double mx = d[0] / d[2];
      double my = d[1] / d[2];
      double n = Math.hypot(mx, my);
      if (n > bestNorm) {
        bestNorm = n;
        best = new double[] {mx, my};
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The state of one observation, or empty when the marks cannot be placed on the table (or a
   * direction instruction has no telling word).
   */
  Optional<double[]> state(
      GoalKind kind,
      String instruction,
      List<Mark> marks,
      int object,
      int goal,
      PixelPoint effectorPx,
      double[] velocityMPerS,
      PixelPoint objectStartPx,
      CameraModel camera) {
    Mark om = marks.get(object);
    Optional<TablePoint> o = camera.pixelToTable(om.centroid(), OBJECT_Z_M);
    Optional<TablePoint> e = camera.pixelToTable(effectorPx, EFFECTOR_Z_M);
    if (o.isEmpty() || e.isEmpty()) {
      return Optional.empty();
    }
    double gx;
    double gy;
    switch (kind) {
      case REACH -> {
        gx = o.get().xM();
        gy = o.get().yM();
      }
      case DIRECTION -> {
        Optional<double[]> d = displacementOf(instruction);
        Optional<TablePoint> s = camera.pixelToTable(objectStartPx, OBJECT_Z_M);
        if (d.isEmpty() || s.isEmpty()) {
          return Optional.empty();
        }
        gx = s.get().xM() + directionAim * d.get()[0];
        gy = s.get().yM() + directionAim * d.get()[1];
      }
      case TARGET -> {
        if (goal < 0) {
          return Optional.empty();
        }
        Optional<TablePoint> g = camera.pixelToTable(marks.get(goal).centroid(), 0.0);
        if (g.isEmpty()) {
          return Optional.empty();
        }
        gx = g.get().xM();
        gy = g.get().yM();
      }
      default -> throw new IllegalArgumentException(String.valueOf(kind));
    }
    double fill = fillRatio(om);
    double ex = e.get().xM() - o.get().xM();
    double ey = e.get().yM() - o.get().yM();
    gx -= o.get().xM();
    gy -= o.get().yM();
    // The frame's x axis {ux, uy} and mirror sign (the table's axes: 1, 0, 1).
    double ux = 1;
    double uy = 0;
    double mirror = 1;
    if (frame == Frame.GOAL) {
      double gn = Math.hypot(gx, gy);
      double en = Math.hypot(ex, ey);
      if (kind != GoalKind.REACH && gn > NO_DIRECTION_M) {
        ux = gx / gn;
        uy = gy / gn;
      } else if (en > 1e-9) {
        ux = ex / en;
        uy = ey / en;
      }
      if (fill > BLOCK_FILL) {
        boolean alongX = Math.abs(ux) >= Math.abs(uy);
        ux = alongX ? Math.signum(ux) : 0;
        uy = alongX ? 0 : Math.signum(uy);
      }
      mirror = -uy * ex + ux * ey < 0 ? -1 : 1;
    }
    double[] axes = {0, 0, 0, 0, 0, 0, 0, ux, uy, mirror};
    double[] eo = toFrame(axes, ex, ey);
    double[] go = toFrame(axes, gx, gy);
    double[] v = toFrame(axes, velocityMPerS[0], velocityMPerS[1]);
    axes[0] = eo[0];
    axes[1] = eo[1];
    axes[2] = go[0] * goalWeight;
    axes[3] = go[1] * goalWeight;
    axes[4] = fill * fillWeight;
    axes[5] = v[0] * velocityWeightS;
    axes[6] = v[1] * velocityWeightS;
    return Optional.of(axes);
  }

  /**
   * A table vector in the frame of a state (its last three values: the frame's x axis and mirror
   * sign).
   */
  static double[] toFrame(double[] state, double x, double y) {
    double ux = state[STATE];
    double uy = state[STATE + 1];
    return new double[] {ux * x + uy * y, state[STATE + 2] * (-uy * x + ux * y)};
  }

  /** A vector in the frame of a state back on the table's axes. */
  static double[] fromFrame(double[] state, double x, double y) {
    double ux = state[STATE];
    double uy = state[STATE + 1];
    double my = state[STATE + 2] * y;
    return new double[] {ux * x - uy * my, uy * x + ux * my};
  }

  /**
   * The effector's planned trace: K points one chunk period apart, pixels of the camera's image, or
   * empty when no plan can be made (unplaceable marks, no remembered state of the kind).
   *
   * @param object index in {@code marks} of the grounded object, or -1
   * @param goal index of the target zone's mark, or -1
   * @param effectorPx where the effector is in the image (its mark, or its tip from the joints
   *     projected at {@link #EFFECTOR_Z_M}); the trace starts there
   * @param velocityMPerS the effector's velocity on the table, {x, y} m/s
   * @param objectStartPx where the object's mark was at the episode's start
   */
  public Optional<double[]> plan(
      String instruction,
      List<Mark> marks,
      int object,
      int goal,
      PixelPoint effectorPx,
      double[] velocityMPerS,
      PixelPoint objectStartPx,
      CameraModel camera) {
    if (object < 0 || object >= marks.size() || effectorPx == null) {
      return Optional.empty();
    }
    GoalKind kind = kindOf(instruction);
    if (kind == GoalKind.TARGET && (goal == object || goal >= marks.size())) {
      goal = -1;
    }
    Optional<double[]> s =
        state(
            kind,
            instruction,
            marks,
            object,
            goal,
            effectorPx,
            velocityMPerS,
            objectStartPx,
            camera);
    float[] st = states[kind.ordinal()];
    int n = st.length / STATE;
    if (s.isEmpty() || n == 0) {
      return Optional.empty();
    }
    double[] q = s.get();
    int k = Math.min(neighbours, n);
    int[] idx = new int[k];
    double[] dist = new double[k];
    java.util.Arrays.fill(dist, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(idx, -1);
    // Scan outward from the query's first value in the sorted memory; a side is done once its first
    // value alone is further than the k-th neighbour found.
    int lo = lowerBound(st, n, (float) q[0]) - 1;
    int hi = lo + 1;
    while (lo >= 0 || hi < n) {
      double dLo = lo >= 0 ? q[0] - st[lo * STATE] : Double.POSITIVE_INFINITY;
      double dHi = hi < n ? st[hi * STATE] - q[0] : Double.POSITIVE_INFINITY;
      int i;
      double gap;
      if (dLo <= dHi) {
        i = lo--;
        gap = dLo;
      } else {
        i = hi++;
        gap = dHi;
      }
      if (gap * gap >= dist[k - 1]) {
        break;
      }
      int o = i * STATE;
      double d = 0;
      for (int j = 0; j < STATE && d < dist[k - 1]; j++) {
        double x = st[o + j] - q[j];
        d += x * x;
      }
      if (d < dist[k - 1]) {
        int p = k - 1;
        while (p > 0 && dist[p - 1] > d) {
          dist[p] = dist[p - 1];
          idx[p] = idx[p - 1];
          p--;
        }
        dist[p] = d;
        idx[p] = i;
      }
    }
    float[] fu = futures[kind.ordinal()];
    int w2 = 2 * traceLength;
    // The neighbours' futures may disagree (two ways around an object): average only those whose
    // end lies near the end of the best-supported one, so two good choices never blend into a bad
    // one.
    double[] weight = new double[k];
    for (int i = 0; i < k; i++) {
      weight[i] = idx[i] < 0 ? 0 : 1.0 / (Math.sqrt(dist[i]) + 0.01);
    }
    int mode = 0;
    double modeSupport = -1;
    for (int i = 0; i < k; i++) {
      double support = 0;
      for (int j = 0; j < k; j++) {
        if (weight[j] > 0 && endDistance(fu, idx[i], idx[j], w2) <= MODE_RADIUS_M) {
          support += weight[j];
        }
      }
      if (weight[i] > 0 && support > modeSupport) {
        modeSupport = support;
        mode = i;
      }
    }
    double[] mean = new double[w2];
    double total = 0;
    for (int i = 0; i < k; i++) {
      if (weight[i] == 0 || endDistance(fu, idx[mode], idx[i], w2) > MODE_RADIUS_M) {
        continue;
      }
      total += weight[i];
      for (int j = 0; j < w2; j++) {
        mean[j] += weight[i] * fu[idx[i] * w2 + j];
      }
    }
    for (int j = 0; j < w2; j++) {
      mean[j] /= total;
    }
    skipLeadingPause(mean, traceLength);
    Optional<TablePoint> e = camera.pixelToTable(effectorPx, EFFECTOR_Z_M);
    double[] out = new double[w2];
    for (int j = 0; j < traceLength; j++) {
      double[] d = fromFrame(q, mean[2 * j], mean[2 * j + 1]);
      double x = e.get().xM() + d[0];
      double y = e.get().yM() + d[1];
      Optional<PixelPoint> p = camera.project(new Vec3(x, y, EFFECTOR_Z_M));
      if (p.isEmpty()) {
        return Optional.empty();
      }
      out[2 * j] = p.get().xPx();
      out[2 * j + 1] = p.get().yPx();
    }
    return Optional.of(out);
  }

  /**
   * Writes a copy of a Mantis policy bundle with this plan added (replacing any plan it had).
   *
   * @param from the bundle to copy (verified against {@code robot})
   * @param to the directory to write; may be {@code from} itself
   * @return the card as written
   */
  public mantis.model.bundle.ModelCard writeInto(
      java.nio.file.Path from, java.nio.file.Path to, mantis.core.RobotSpec robot)
      throws IOException {
    MantisPolicyModel.read(from, robot);
    mantis.model.bundle.ModelBundle bundle = mantis.model.bundle.ModelBundle.open(from, robot);
    Map<String, byte[]> files = new java.util.TreeMap<>();
    for (String name : bundle.card().files().keySet()) {
      files.put(name, bundle.bytes(name));
    }
    files.put(FILE, toBytes());
    return mantis.model.bundle.ModelBundle.write(to, bundle.card(), files);
  }

  /** The first index whose first state value is >= x (n when none). */
  private static int lowerBound(float[] st, int n, float x) {
    int a = 0;
    int b = n;
    while (a < b) {
      int m = (a + b) >>> 1;
      if (st[m * STATE] < x) {
        a = m + 1;
      } else {
        b = m;
      }
    }
    return a;
  }

  /**
   * Drops a pause at the start of a planned future (points still within {@value #STILL_STEP_M} m of
   * the start while later ones move): only the first points of a plan are executed before the next,
   * so a plan that waits would wait for ever. The end is held.
   */
  static void skipLeadingPause(double[] future, int traceLength) {
    int first = 0;
    while (first < traceLength
        && Math.hypot(future[2 * first], future[2 * first + 1]) < STILL_STEP_M) {
      first++;
    }
    if (first == 0 || first == traceLength) {
      return;
    }
    for (int k = 0; k < traceLength; k++) {
      int from = Math.min(traceLength - 1, k + first);
      future[2 * k] = future[2 * from];
      future[2 * k + 1] = future[2 * from + 1];
    }
  }

  private static double endDistance(float[] futures, int a, int b, int w2) {
    int ea = a * w2 + w2 - 2;
    int eb = b * w2 + w2 - 2;
    return Math.hypot(futures[ea] - futures[eb], futures[ea + 1] - futures[eb + 1]);
  }

  // ----------------------------------------------------------------------------------------------
  // bytes

  /** The plan as bytes (the bundle's {@value #FILE}). */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(traceLength);
      out.writeInt(neighbours);
      out.writeDouble(goalWeight);
      out.writeDouble(fillWeight);
      out.writeDouble(velocityWeightS);
      out.writeInt(frame.ordinal());
      out.writeDouble(directionAim);
      for (double c : kindCounts) {
        out.writeDouble(c);
      }
      for (double c : kindWords) {
        out.writeDouble(c);
      }
      writeWords(out, wordKindCounts);
      writeWords(out, wordDisplacement);
      for (Map<String, double[]> m : phraseMarks) {
        writeWords(out, m);
      }
      for (int k = 0; k < states.length; k++) {
        out.writeInt(states[k].length / STATE);
        for (float f : states[k]) {
          out.writeFloat(f);
        }
        for (float f : futures[k]) {
          out.writeFloat(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeWords(DataOutputStream out, Map<String, double[]> m) throws IOException {
    out.writeInt(m.size());
    for (Map.Entry<String, double[]> e : m.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue().length);
      for (double v : e.getValue()) {
        out.writeDouble(v);
      }
    }
  }

  private static Map<String, double[]> readWords(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 1_000_000) {
      throw new IOException("bad word count " + n);
    }
    Map<String, double[]> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String w = in.readUTF();
      int len = in.readInt();
      if (len < 0 || len > 16) {
        throw new IOException("bad word entry length " + len);
      }
      double[] v = new double[len];
      for (int j = 0; j < len; j++) {
        v[j] = in.readDouble();
      }
      m.put(w, v);
    }
    return m;
  }

  /**
   * Reads a plan written by {@link #toBytes}.
   *
   * @throws IOException when the bytes are not a plan of this version
   */
  public static GoalFramePlan fromBytes(byte[] data) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(FILE + " is not a goal-frame plan");
      }
      int version = in.readInt();
      if (version != VERSION && version != 2) {
        throw new IOException(
            FILE + " has version " + version + ", this build reads 2 and " + VERSION);
      }
      int traceLength = in.readInt();
      int neighbours = in.readInt();
      if (traceLength < 1 || traceLength > 1024 || neighbours < 1 || neighbours > 1024) {
        throw new IOException(FILE + ": bad sizes");
      }
      double goalWeight = in.readDouble();
      double fillWeight = in.readDouble();
      double velocityWeightS = in.readDouble();
      if (!(goalWeight > 0) || !(fillWeight > 0) || !(velocityWeightS > 0)) {
        throw new IOException(FILE + ": bad weights");
      }
      Frame frame = Frame.TABLE;
      if (version >= 3) {
        int f = in.readInt();
        if (f < 0 || f >= Frame.values().length) {
          throw new IOException(FILE + ": bad frame " + f);
        }
        frame = Frame.values()[f];
      }
      double directionAim = version >= 3 ? in.readDouble() : 1.0;
      if (!(directionAim > 0) || !Double.isFinite(directionAim)) {
        throw new IOException(FILE + ": bad direction aim " + directionAim);
      }
      int kinds = GoalKind.values().length;
      double[] kindCounts = new double[kinds];
      double[] kindWords = new double[kinds];
      for (int k = 0; k < kinds; k++) {
        kindCounts[k] = in.readDouble();
      }
      for (int k = 0; k < kinds; k++) {
        kindWords[k] = in.readDouble();
      }
      Map<String, double[]> wordKind = readWords(in);
      Map<String, double[]> wordDisp = readWords(in);
      List<Map<String, double[]>> phrases = new ArrayList<>();
      for (int r = 0; r < Role.values().length; r++) {
        phrases.add(version >= 3 ? readWords(in) : new LinkedHashMap<>());
      }
      float[][] states = new float[kinds][];
      float[][] futures = new float[kinds][];
      for (int k = 0; k < kinds; k++) {
        int n = in.readInt();
        if (n < 0 || (long) n * (STATE + 2L * traceLength) * 4 > data.length) {
          throw new IOException(
              FILE + " is truncated or damaged: a memory of " + n + " states does not fit");
        }
        states[k] = new float[n * STATE];
        futures[k] = new float[n * 2 * traceLength];
        for (int i = 0; i < states[k].length; i++) {
          states[k][i] = in.readFloat();
        }
        for (int i = 0; i < futures[k].length; i++) {
          futures[k][i] = in.readFloat();
        }
      }
      if (in.read() != -1) {
        throw new IOException(FILE + ": trailing bytes");
      }
      return new GoalFramePlan(
          traceLength,
          neighbours,
          goalWeight,
          fillWeight,
          velocityWeightS,
          frame,
          directionAim,
          wordKind,
          kindCounts,
          kindWords,
          wordDisp,
          phrases,
          states,
          futures);
    } catch (java.io.EOFException e) {
      throw new IOException(FILE + " is truncated", e);
    }
  }
}
