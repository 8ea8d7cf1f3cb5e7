package mantis.server;

import java.util.ArrayList;
import java.util.List;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Observation;
import mantis.core.RobotSpec;

/**
 * Validates a wire observation against the served robot and decodes it into a {@link Observation}.
 * Every rejection carries a precise description naming the field. Thread-safe.
 *
 * <p>Frames: every frame's header is read and checked first; the pixels they ask for (summed) are
 * taken from the {@link DecodeBudget} before any pixel is decoded; then each frame is decoded
 * subsampled by the largest whole factor that keeps it at least four times the policy's input size
 * per side (so a 4096x4096 PNG for a 128x128 policy is decoded to 512x512, never to a 16-Mpx
 * buffer), and resized to the input size.
 */
final class ObservationDecoder {
  static final int MAX_FRAMES = 8;
  static final int MAX_INSTRUCTION_CHARS = 1000;
  static final int MAX_ID_CHARS = 128;

  private final RobotSpec robot;
  private final FrameDecoder frames;
  private final int inputWidthPx;
  private final int inputHeightPx;
  private final DecodeBudget budget;
  private final DecodeBudget annotateBudget;

  /**
   * @param inputWidthPx width every frame is resized to; 0 keeps frames as sent
   * @param inputHeightPx height every frame is resized to; 0 keeps frames as sent
   */
  ObservationDecoder(RobotSpec robot, FrameDecoder frames, int inputWidthPx, int inputHeightPx) {
    this(robot, frames, inputWidthPx, inputHeightPx, DecodeBudget.unlimited(System::nanoTime));
  }

  /**
   * Like {@link #ObservationDecoder(RobotSpec, FrameDecoder, int, int)}, taking every decode from
   * {@code budget}.
   */
  ObservationDecoder(
      RobotSpec robot,
      FrameDecoder frames,
      int inputWidthPx,
      int inputHeightPx,
      DecodeBudget budget) {
    this(robot, frames, inputWidthPx, inputHeightPx, budget, budget);
  }

  /**
   * Like {@link #ObservationDecoder(RobotSpec, FrameDecoder, int, int)}, taking Predict's and
   * Control's decodes from {@code budget} and Annotate's from {@code annotateBudget}.
   */
  ObservationDecoder(
      RobotSpec robot,
      FrameDecoder frames,
      int inputWidthPx,
      int inputHeightPx,
      DecodeBudget budget,
      DecodeBudget annotateBudget) {
    this.annotateBudget = annotateBudget;
    this.robot = robot;
    this.frames = frames;
    this.inputWidthPx = inputWidthPx;
    this.inputHeightPx = inputHeightPx;
    this.budget = budget;
  }

  /**
   * The subsampling factor for a side of {@code srcPx} needed at {@code targetPx}: the largest
   * whole factor keeping the result at least four times the target (1 when the target is 0 or the
   * source is small).
   */
  static int subsample(int srcPx, int targetPx) {
    return targetPx <= 0 ? 1 : Math.max(1, srcPx / (4 * targetPx));
  }

  /** The robot id the observation names ("default" when empty), after checking its length. */
  static String robotId(mantis.proto.v1.Observation wire) throws InvalidInputException {
    checkId(wire.getRobotId(), "robot_id");
    return wire.getRobotId().isEmpty() ? "default" : wire.getRobotId();
  }

  /**
   * Only the joint state, validated: what a hold for this observation needs; cheap (no frame is
   * touched).
   */
  JointState decodeJointState(mantis.proto.v1.Observation wire) throws InvalidInputException {
    return decodeJoints(wire);
  }

  Observation decode(mantis.proto.v1.Observation wire)
      throws InvalidInputException, OverloadedException {
    checkId(wire.getRobotId(), "robot_id");
    checkId(wire.getEpisodeId(), "episode_id");
    if (wire.getStep() < 0) {
      throw new InvalidInputException("step is " + wire.getStep() + "; steps count from 0");
    }
    String instruction = wire.getInstruction();
    if (instruction.isBlank()) {
      throw new InvalidInputException(
          "instruction is empty; say what to do, e.g. \"push the red block to the left\"");
    }
    if (instruction.length() > MAX_INSTRUCTION_CHARS) {
      throw new InvalidInputException(
          "instruction has "
              + instruction.length()
              + " characters; at most "
              + MAX_INSTRUCTION_CHARS);
    }
    JointState joints = decodeJoints(wire);
    int n = wire.getFramesCount();
    if (n == 0) {
      throw new InvalidInputException("observation has no frames; send at least one");
    }
    if (n > MAX_FRAMES) {
      throw new InvalidInputException("observation has " + n + " frames; at most " + MAX_FRAMES);
    }
    List<Frame> decoded = new ArrayList<>(n);
    List<FrameDecoder.Opened> opened = new ArrayList<>(n);
    try {
      long pixels = 0;
      for (int i = 0; i < n; i++) {
        FrameDecoder.Opened o = frames.open(wire.getFrames(i), "frames[" + i + "]");
        opened.add(o);
        pixels += (long) o.widthPx() * o.heightPx();
      }
      try {
        budget.take(pixels, describeFrames(opened));
      } catch (OverloadedException e) {
        throw e.withJointState(joints);
      }
      for (FrameDecoder.Opened o : opened) {
        Frame f =
            o.decode(subsample(o.widthPx(), inputWidthPx), subsample(o.heightPx(), inputHeightPx));
        if (inputWidthPx > 0 && inputHeightPx > 0) {
          f = FrameResizer.resize(f, inputWidthPx, inputHeightPx);
        }
        decoded.add(f);
      }
    } finally {
      opened.forEach(FrameDecoder.Opened::close);
    }
    String robotId = wire.getRobotId().isEmpty() ? "default" : wire.getRobotId();
    return new Observation(
        robotId,
        wire.getEpisodeId(),
        wire.getStep(),
        decoded,
        instruction,
        joints,
        wire.getCaptureTimeNanos(),
        wire.getSendTimeNanos());
  }

  /** "8 frames of 4096x4096 px" or "frames of 640x480, 320x240 px", for budget descriptions. */
  private static String describeFrames(List<FrameDecoder.Opened> opened) {
    java.util.Set<String> sizes = new java.util.LinkedHashSet<>();
    for (FrameDecoder.Opened o : opened) {
      sizes.add(o.widthPx() + "x" + o.heightPx());
    }
    return opened.size()
        + (opened.size() == 1 ? " frame" : " frames")
        + " of "
        + String.join(", ", sizes)
        + " px";
  }

  /**
   * A frame as Annotate sees it: {@code frame} is the newest frame shrunk to fit the Annotate size
   * limit (or at its own size when it fits); {@code scale} is the frame's own size over this one's
   * (1 when not shrunk), so coordinates found on {@code frame} times {@code scale} are in the
   * frame's own pixels.
   */
  record AnnotateFrame(
      Frame frame, int ownWidthPx, int ownHeightPx, double scaleX, double scaleY) {}

  /**
   * Only the newest frame, for Annotate: the frame count and that frame are validated; instruction
   * and joint state are not needed. Frames larger than {@code maxSidePx} per side are decoded
   * subsampled and shrunk to fit (aspect kept); the decode is taken from Annotate's budget.
   */
  AnnotateFrame decodeNewestFrame(mantis.proto.v1.Observation wire, int maxSidePx)
      throws InvalidInputException, OverloadedException {
    int n = wire.getFramesCount();
    if (n == 0) {
      throw new InvalidInputException("observation has no frames; send at least one");
    }
    if (n > MAX_FRAMES) {
      throw new InvalidInputException("observation has " + n + " frames; at most " + MAX_FRAMES);
    }
    try (FrameDecoder.Opened o = frames.open(wire.getFrames(n - 1), "frames[" + (n - 1) + "]")) {
      int w = o.widthPx();
      int h = o.heightPx();
      annotateBudget.take((long) w * h, describeFrames(List.of(o)));
      if (w <= maxSidePx && h <= maxSidePx) {
        return new AnnotateFrame(o.decode(1, 1), w, h, 1, 1);
      }
      double shrink = Math.min((double) maxSidePx / w, (double) maxSidePx / h);
      int tw = Math.max(1, (int) Math.round(w * shrink));
      int th = Math.max(1, (int) Math.round(h * shrink));
      // Subsample to at least twice the target per side, then box-average down to it.
      int sx = Math.max(1, w / (2 * tw));
      int sy = Math.max(1, h / (2 * th));
      Frame f = FrameResizer.resize(o.decode(sx, sy), tw, th);
      return new AnnotateFrame(f, w, h, (double) w / tw, (double) h / th);
    }
  }

  private static void checkId(String id, String field) throws InvalidInputException {
    if (id.length() > MAX_ID_CHARS) {
      throw new InvalidInputException(
          field + " has " + id.length() + " characters; at most " + MAX_ID_CHARS);
    }
  }

  private JointState decodeJoints(mantis.proto.v1.Observation wire) throws InvalidInputException {
    if (!wire.hasJointState()) {
      throw new InvalidInputException(
          "joint_state is missing; robot "
              + robot.name()
              + " needs "
              + robot.jointCount()
              + " positions "
              + robot.jointNames());
    }
    mantis.proto.v1.JointState js = wire.getJointState();
    int n = robot.jointCount();
    if (js.getPositionsRadCount() != n) {
      throw new InvalidInputException(
          "joint_state has "
              + js.getPositionsRadCount()
              + " positions but robot "
              + robot.name()
              + " has "
              + n
              + " joints "
              + robot.jointNames());
    }
    if (js.getNamesCount() != 0 && !js.getNamesList().equals(robot.jointNames())) {
      throw new InvalidInputException(
          "joint_state.names "
              + ClientText.escape(js.getNamesList())
              + " do not match robot "
              + robot.name()
              + " joints "
              + robot.jointNames()
              + " (same names, same order; or leave names empty)");
    }
    if (js.getVelocitiesRadPerSCount() != 0 && js.getVelocitiesRadPerSCount() != n) {
      throw new InvalidInputException(
          "joint_state has "
              + js.getVelocitiesRadPerSCount()
              + " velocities but "
              + n
              + " joints; send one per joint or none");
    }
    double[] pos = new double[n];
    for (int i = 0; i < n; i++) {
      pos[i] = js.getPositionsRad(i);
      if (!Double.isFinite(pos[i])) {
        throw new InvalidInputException(
            "joint_state.positions_rad["
                + i
                + "] ("
                + robot.joint(i).name()
                + ") is "
                + pos[i]
                + "; joint states must be finite");
      }
    }
    double[] vel = new double[js.getVelocitiesRadPerSCount()];
    for (int i = 0; i < vel.length; i++) {
      vel[i] = js.getVelocitiesRadPerS(i);
      if (!Double.isFinite(vel[i])) {
        throw new InvalidInputException(
            "joint_state.velocities_rad_per_s["
                + i
                + "] ("
                + robot.joint(i).name()
                + ") is "
                + vel[i]
                + "; joint states must be finite");
      }
    }
    return new JointState(robot.jointNames(), pos, vel, js.getStampNanos());
  }
}
