package mantis.server;

import java.util.List;
import java.util.Map;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.Mark;
import mantis.core.PixelPoint;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpec;
import mantis.core.Trace;
import mantis.proto.v1.PixelBox;
import mantis.proto.v1.SafetyIntervention;
import mantis.proto.v1.StageTiming;

/** Converts core values to their wire form. */
final class ChunkEncoder {
  private ChunkEncoder() {}

  static mantis.proto.v1.ActionChunk.Builder encode(ActionChunk chunk) {
    mantis.proto.v1.ActionChunk.Builder b = mantis.proto.v1.ActionChunk.newBuilder()
        .addAllJointNames(chunk.jointNames())
        .setValidUntilNanos(chunk.validUntilNanos())
        .setModelVersion(chunk.modelVersion());
    for (ActionPoint p : chunk.points()) {
      mantis.proto.v1.ActionPoint.Builder pb =
          mantis.proto.v1.ActionPoint.newBuilder().setTimeFromStartNanos(p.timeFromStartNanos());
      for (int i = 0; i < p.size(); i++) {
        pb.addPositionsRad(p.positionRad(i));
      }
      b.addPoints(pb);
    }
    for (int t : chunk.latentTokens()) {
      b.addLatentTokens(t);
    }
    for (Mark m : chunk.marks()) {
      b.addMarks(encode(m));
    }
    for (Trace t : chunk.traces()) {
      mantis.proto.v1.Trace.Builder tb = mantis.proto.v1.Trace.newBuilder().setMarkId(t.markId());
      for (PixelPoint p : t.points()) {
        tb.addPoints(encode(p));
      }
      b.addTraces(tb);
    }
    return b;
  }

  static mantis.proto.v1.Mark encode(Mark m) {
    return mantis.proto.v1.Mark.newBuilder()
        .setId(m.id())
        .setCentroid(encode(m.centroid()))
        .setBox(PixelBox.newBuilder()
            .setXPx(m.box().xPx())
            .setYPx(m.box().yPx())
            .setWidthPx(m.box().widthPx())
            .setHeightPx(m.box().heightPx()))
        .setAreaPx(m.areaPx())
        .setMeanRgb(m.meanRgb())
        .build();
  }

  static mantis.proto.v1.PixelPoint encode(PixelPoint p) {
    return mantis.proto.v1.PixelPoint.newBuilder().setXPx(p.xPx()).setYPx(p.yPx()).build();
  }

  static void addTimings(mantis.proto.v1.ActionChunk.Builder b, Map<String, Long> stageNanos) {
    for (Map.Entry<String, Long> e : stageNanos.entrySet()) {
      b.addStageTimings(StageTiming.newBuilder().setStage(e.getKey()).setDurationNanos(e.getValue()));
    }
  }

  static void addInterventions(mantis.proto.v1.ActionChunk.Builder b, List<String[]> kindAndDetail) {
    for (String[] kd : kindAndDetail) {
      b.addInterventions(SafetyIntervention.newBuilder().setKind(kd[0]).setDetail(kd[1]));
    }
  }

  static mantis.proto.v1.PolicyInfo encode(PolicyInfo info, RobotSpec robot) {
    return mantis.proto.v1.PolicyInfo.newBuilder()
        .setName(info.name())
        .setVersion(info.version())
        .addAllJointNames(info.jointNames())
        .setInputWidthPx(info.inputWidthPx())
        .setInputHeightPx(info.inputHeightPx())
        .setChunkLength(info.chunkLength())
        .setCardJson(info.cardJson())
        .setRobotName(robot.name())
        .build();
  }
}
