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
 */
final class ObservationDecoder {
  static final int MAX_FRAMES = 8;
  static final int MAX_INSTRUCTION_CHARS = 1000;
  static final int MAX_ID_CHARS = 128;

  private final RobotSpec robot;
  private final FrameDecoder frames;
  private final int inputWidthPx;
  private final int inputHeightPx;

  /**
   * @param inputWidthPx width every frame is resized to; 0 keeps frames as sent
   * @param inputHeightPx height every frame is resized to; 0 keeps frames as sent
   */
  ObservationDecoder(RobotSpec robot, FrameDecoder frames, int inputWidthPx, int inputHeightPx) {
    this.robot = robot;
    this.frames = frames;
    this.inputWidthPx = inputWidthPx;
    this.inputHeightPx = inputHeightPx;
  }

  Observation decode(mantis.proto.v1.Observation wire) throws InvalidInputException {
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
          "instruction has " + instruction.length() + " characters; at most " + MAX_INSTRUCTION_CHARS);
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
    for (int i = 0; i < n; i++) {
      Frame f = frames.decode(wire.getFrames(i), "frames[" + i + "]");
      if (inputWidthPx > 0 && inputHeightPx > 0) {
        f = FrameResizer.resize(f, inputWidthPx, inputHeightPx);
      }
      decoded.add(f);
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

  /**
   * Only the newest frame, at its own size, for Annotate: the frame count and that frame are
   * validated; instruction and joint state are not needed.
   */
  Frame decodeNewestFrame(mantis.proto.v1.Observation wire) throws InvalidInputException {
    int n = wire.getFramesCount();
    if (n == 0) {
      throw new InvalidInputException("observation has no frames; send at least one");
    }
    if (n > MAX_FRAMES) {
      throw new InvalidInputException("observation has " + n + " frames; at most " + MAX_FRAMES);
    }
    return frames.decode(wire.getFrames(n - 1), "frames[" + (n - 1) + "]");
  }

  private static void checkId(String id, String field) throws InvalidInputException {
    if (id.length() > MAX_ID_CHARS) {
      throw new InvalidInputException(field + " has " + id.length() + " characters; at most " + MAX_ID_CHARS);
    }
  }

  private JointState decodeJoints(mantis.proto.v1.Observation wire) throws InvalidInputException {
    if (!wire.hasJointState()) {
      throw new InvalidInputException(
          "joint_state is missing; robot " + robot.name() + " needs " + robot.jointCount() + " positions "
              + robot.jointNames());
    }
    mantis.proto.v1.JointState js = wire.getJointState();
    int n = robot.jointCount();
    if (js.getPositionsRadCount() != n) {
      throw new InvalidInputException(
          "joint_state has " + js.getPositionsRadCount() + " positions but robot " + robot.name() + " has " + n
              + " joints " + robot.jointNames());
    }
    if (js.getNamesCount() != 0 && !js.getNamesList().equals(robot.jointNames())) {
      throw new InvalidInputException(
          "joint_state.names " + ClientText.escape(js.getNamesList()) + " do not match robot " + robot.name() + " joints "
              + robot.jointNames() + " (same names, same order; or leave names empty)");
    }
    if (js.getVelocitiesRadPerSCount() != 0 && js.getVelocitiesRadPerSCount() != n) {
      throw new InvalidInputException(
          "joint_state has " + js.getVelocitiesRadPerSCount() + " velocities but " + n
              + " joints; send one per joint or none");
    }
    double[] pos = new double[n];
    for (int i = 0; i < n; i++) {
      pos[i] = js.getPositionsRad(i);
      if (!Double.isFinite(pos[i])) {
        throw new InvalidInputException(
            "joint_state.positions_rad[" + i + "] (" + robot.joint(i).name() + ") is " + pos[i]
                + "; joint states must be finite");
      }
    }
    double[] vel = new double[js.getVelocitiesRadPerSCount()];
    for (int i = 0; i < vel.length; i++) {
      vel[i] = js.getVelocitiesRadPerS(i);
      if (!Double.isFinite(vel[i])) {
        throw new InvalidInputException(
            "joint_state.velocities_rad_per_s[" + i + "] (" + robot.joint(i).name() + ") is " + vel[i]
                + "; joint states must be finite");
      }
    }
    return new JointState(robot.jointNames(), pos, vel, js.getStampNanos());
  }
}
