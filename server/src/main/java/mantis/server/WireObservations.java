package mantis.server;

import com.google.protobuf.ByteString;
import mantis.core.Frame;
import mantis.core.Observation;
import mantis.proto.v1.FrameEncoding;

/** Encodes core observations for the wire (raw RGB8 frames). */
final class WireObservations {
  private WireObservations() {}

  static mantis.proto.v1.Observation encodeRaw(Observation obs, long sendNanos) {
    mantis.proto.v1.Observation.Builder b = mantis.proto.v1.Observation.newBuilder()
        .setRobotId(obs.robotId())
        .setEpisodeId(obs.episodeId())
        .setStep(obs.step())
        .setInstruction(obs.instruction())
        .setCaptureTimeNanos(obs.captureTimeNanos())
        .setSendTimeNanos(sendNanos);
    for (Frame f : obs.frames()) {
      b.addFrames(mantis.proto.v1.Frame.newBuilder()
          .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
          .setWidthPx(f.widthPx())
          .setHeightPx(f.heightPx())
          .setData(ByteString.copyFrom(f.rgbUnsafe())));
    }
    mantis.proto.v1.JointState.Builder js = mantis.proto.v1.JointState.newBuilder()
        .addAllNames(obs.jointState().names())
        .setStampNanos(obs.jointState().stampNanos());
    for (double p : obs.jointState().positionsRad()) {
      js.addPositionsRad(p);
    }
    for (double v : obs.jointState().velocitiesRadPerS()) {
      js.addVelocitiesRadPerS(v);
    }
    return b.setJointState(js).build();
  }
}
