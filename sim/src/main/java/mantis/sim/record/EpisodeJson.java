package mantis.sim.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mantis.calibration.CameraExtrinsics;
import mantis.calibration.CameraIntrinsics;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;
import mantis.sim.Embodiment;
import mantis.sim.ObjectState;
import mantis.sim.PaletteColour;
import mantis.sim.PushDirection;
import mantis.sim.Shape;
import mantis.sim.TargetZone;
import mantis.sim.Task;
import mantis.sim.TaskFamily;

/** JSON mapping of the episode format. */
final class EpisodeJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private EpisodeJson() {}

  static ObjectNode metadata(EpisodeMetadata m) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("formatVersion", m.formatVersion());
    n.put("seed", m.seed());
    n.put("family", m.task().family().name());
    n.put("embodiment", m.embodiment().name());
    n.put("instruction", m.instruction());
    ObjectNode task = n.putObject("task");
    task.put("objectName", m.task().objectName());
    m.task().direction().ifPresent(d -> task.put("direction", d.name()));
    m.task().targetName().ifPresent(t -> task.put("targetName", t));
    task.put("startXM", m.task().startXM());
    task.put("startYM", m.task().startYM());
    n.put(
        "actionSpace",
        m.embodiment() == Embodiment.ARM ? "joint_position_targets_rad" : "hand_xy_targets_m");
    ObjectNode rates = n.putObject("rates");
    rates.put("physicsHz", m.physicsHz());
    rates.put("stepEvery", m.stepEvery());
    rates.put("frameEvery", m.frameEvery());
    rates.put("maxEpisodeSeconds", m.maxEpisodeSeconds());
    n.put("domainRandomization", m.domainRandomization());
    ObjectNode frames = n.putObject("frames");
    frames.put("widthPx", m.frameWidthPx());
    frames.put("heightPx", m.frameHeightPx());
    frames.put("encoding", "png");
    frames.put("pattern", "frames/%06d.png");
    n.set("robot", robot(m.robot()));
    m.camera().ifPresent(c -> n.set("camera", camera(c)));
    m.renderCamera().ifPresent(c -> n.set("renderCamera", camera(c)));
    ArrayNode objects = n.putArray("objects");
    for (ObjectState o : m.objects()) {
      ObjectNode on = objects.addObject();
      on.put("name", o.name());
      on.put("colour", o.colour().word());
      on.put("rgb", String.format("#%06X", o.rgb()));
      on.put("shape", o.shape().word());
      on.put("halfSizeM", o.halfSizeM());
      on.put("heightM", o.heightM());
      on.put("xM", o.xM());
      on.put("yM", o.yM());
      on.put("yawRad", o.yawRad());
    }
    ArrayNode targets = n.putArray("targets");
    for (TargetZone t : m.targets()) {
      ObjectNode tn = targets.addObject();
      tn.put("name", t.name());
      tn.put("colour", t.colour().word());
      tn.put("rgb", String.format("#%06X", t.rgb()));
      tn.put("halfSizeM", t.halfSizeM());
      tn.put("xM", t.xM());
      tn.put("yM", t.yM());
    }
    n.put("complete", m.complete());
    m.recordedSteps().ifPresent(s -> n.put("recordedSteps", s));
    m.success().ifPresent(s -> n.put("success", s));
    return n;
  }

  static EpisodeMetadata metadata(JsonNode n) {
    int version = required(n, "formatVersion").asInt();
    if (version != EpisodeRecorder.FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "episode format version "
              + version
              + " is not supported (expected "
              + EpisodeRecorder.FORMAT_VERSION
              + ")");
    }
    JsonNode t = required(n, "task");
    Task task =
        new Task(
            TaskFamily.valueOf(required(n, "family").asText()),
            required(t, "objectName").asText(),
            t.has("direction")
                ? Optional.of(PushDirection.valueOf(t.get("direction").asText()))
                : Optional.empty(),
            t.has("targetName") ? Optional.of(t.get("targetName").asText()) : Optional.empty(),
            required(t, "startXM").asDouble(),
            required(t, "startYM").asDouble(),
            required(n, "instruction").asText());
    JsonNode rates = required(n, "rates");
    JsonNode frames = required(n, "frames");
    List<ObjectState> objects = new ArrayList<>();
    for (JsonNode o : required(n, "objects")) {
      objects.add(
          new ObjectState(
              required(o, "name").asText(),
              colour(required(o, "colour").asText()),
              Integer.parseInt(required(o, "rgb").asText().substring(1), 16),
              shape(required(o, "shape").asText()),
              required(o, "xM").asDouble(),
              required(o, "yM").asDouble(),
              required(o, "yawRad").asDouble(),
              required(o, "halfSizeM").asDouble(),
              required(o, "heightM").asDouble()));
    }
    List<TargetZone> targets = new ArrayList<>();
    for (JsonNode z : required(n, "targets")) {
      targets.add(
          new TargetZone(
              required(z, "name").asText(),
              colour(required(z, "colour").asText()),
              Integer.parseInt(required(z, "rgb").asText().substring(1), 16),
              required(z, "xM").asDouble(),
              required(z, "yM").asDouble(),
              required(z, "halfSizeM").asDouble()));
    }
    return new EpisodeMetadata(
        version,
        required(n, "seed").asLong(),
        Embodiment.valueOf(required(n, "embodiment").asText()),
        task,
        required(rates, "physicsHz").asInt(),
        required(rates, "maxEpisodeSeconds").asDouble(),
        required(n, "domainRandomization").asBoolean(),
        required(rates, "stepEvery").asInt(),
        required(rates, "frameEvery").asInt(),
        required(frames, "widthPx").asInt(),
        required(frames, "heightPx").asInt(),
        robot(required(n, "robot")),
        n.has("camera") ? Optional.of(camera(n.get("camera"))) : Optional.empty(),
        n.has("renderCamera") ? Optional.of(camera(n.get("renderCamera"))) : Optional.empty(),
        objects,
        targets,
        n.path("complete").asBoolean(false),
        n.has("recordedSteps") ? Optional.of(n.get("recordedSteps").asLong()) : Optional.empty(),
        n.has("success") ? Optional.of(n.get("success").asBoolean()) : Optional.empty());
  }

  static ObjectNode robot(RobotSpec robot) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", robot.name());
    ArrayNode joints = n.putArray("joints");
    for (JointLimits j : robot.joints()) {
      ObjectNode jn = joints.addObject();
      jn.put("name", j.name());
      jn.put("minPositionRad", j.minPositionRad());
      jn.put("maxPositionRad", j.maxPositionRad());
      jn.put("maxVelocityRadPerS", j.maxVelocityRadPerS());
      jn.put("maxAccelerationRadPerS2", j.maxAccelerationRadPerS2());
    }
    return n;
  }

  static RobotSpec robot(JsonNode n) {
    List<JointLimits> joints = new ArrayList<>();
    for (JsonNode j : required(n, "joints")) {
      joints.add(
          new JointLimits(
              required(j, "name").asText(),
              required(j, "minPositionRad").asDouble(),
              required(j, "maxPositionRad").asDouble(),
              required(j, "maxVelocityRadPerS").asDouble(),
              required(j, "maxAccelerationRadPerS2").asDouble()));
    }
    return new RobotSpec(required(n, "name").asText(), joints);
  }

  static ObjectNode camera(CameraModel c) {
    ObjectNode n = MAPPER.createObjectNode();
    CameraIntrinsics k = c.intrinsics();
    ObjectNode in = n.putObject("intrinsics");
    in.put("widthPx", k.widthPx());
    in.put("heightPx", k.heightPx());
    in.put("fxPx", k.fxPx());
    in.put("fyPx", k.fyPx());
    in.put("cxPx", k.cxPx());
    in.put("cyPx", k.cyPx());
    ArrayNode dist = in.putArray("distortion");
    dist.add(k.k1()).add(k.k2()).add(k.p1()).add(k.p2()).add(k.k3());
    ObjectNode ex = n.putObject("extrinsics");
    ArrayNode rot = ex.putArray("rotationRowMajor");
    for (double v : c.extrinsics().rotationRowMajor()) {
      rot.add(v);
    }
    Vec3 t = c.extrinsics().translationM();
    ex.putArray("translationM").add(t.xM()).add(t.yM()).add(t.zM());
    Vec3 p = c.extrinsics().cameraPositionM();
    ex.putArray("cameraPositionM").add(p.xM()).add(p.yM()).add(p.zM());
    return n;
  }

  static CameraModel camera(JsonNode n) {
    JsonNode in = required(n, "intrinsics");
    JsonNode d = required(in, "distortion");
    CameraIntrinsics k =
        new CameraIntrinsics(
            required(in, "widthPx").asInt(),
            required(in, "heightPx").asInt(),
            required(in, "fxPx").asDouble(),
            required(in, "fyPx").asDouble(),
            required(in, "cxPx").asDouble(),
            required(in, "cyPx").asDouble(),
            d.get(0).asDouble(),
            d.get(1).asDouble(),
            d.get(2).asDouble(),
            d.get(3).asDouble(),
            d.get(4).asDouble());
    JsonNode ex = required(n, "extrinsics");
    double[] r = doubles(required(ex, "rotationRowMajor"));
    double[] t = doubles(required(ex, "translationM"));
    return new CameraModel(k, CameraExtrinsics.of(r, new Vec3(t[0], t[1], t[2])));
  }

  static ObjectNode step(StepRecord s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("step", s.step());
    n.put("timeS", s.timeS());
    putArray(n, "jointPositionsRad", s.jointPositionsRad());
    putArray(n, "jointVelocitiesRadPerS", s.jointVelocitiesRadPerS());
    putArray(n, "action", s.action());
    ObjectNode e = n.putObject("effector");
    e.put("xM", s.effectorXM());
    e.put("yM", s.effectorYM());
    e.put("headingRad", s.effectorHeadingRad());
    ArrayNode objects = n.putArray("objects");
    for (ObjectPose p : s.objects()) {
      ObjectNode on = objects.addObject();
      on.put("name", p.name());
      on.put("xM", p.xM());
      on.put("yM", p.yM());
      on.put("yawRad", p.yawRad());
    }
    n.put("success", s.success());
    s.frame().ifPresent(f -> n.put("frame", f));
    return n;
  }

  static StepRecord step(JsonNode n) {
    List<ObjectPose> objects = new ArrayList<>();
    for (JsonNode o : required(n, "objects")) {
      objects.add(
          new ObjectPose(
              required(o, "name").asText(),
              required(o, "xM").asDouble(),
              required(o, "yM").asDouble(),
              required(o, "yawRad").asDouble()));
    }
    JsonNode e = required(n, "effector");
    return new StepRecord(
        required(n, "step").asLong(),
        required(n, "timeS").asDouble(),
        doubles(required(n, "jointPositionsRad")),
        doubles(required(n, "jointVelocitiesRadPerS")),
        doubles(required(n, "action")),
        required(e, "xM").asDouble(),
        required(e, "yM").asDouble(),
        required(e, "headingRad").asDouble(),
        objects,
        required(n, "success").asBoolean(),
        n.has("frame") ? Optional.of(n.get("frame").asText()) : Optional.empty());
  }

  private static void putArray(ObjectNode n, String field, double[] values) {
    ArrayNode a = n.putArray(field);
    for (double v : values) {
      a.add(v);
    }
  }

  private static double[] doubles(JsonNode a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asDouble();
    }
    return out;
  }

  private static JsonNode required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("episode record lacks field '" + field + "'");
    }
    return v;
  }

  private static PaletteColour colour(String word) {
    for (PaletteColour c : PaletteColour.values()) {
      if (c.word().equals(word)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown colour '" + word + "'");
  }

  private static Shape shape(String word) {
    for (Shape s : Shape.values()) {
      if (s.word().equals(word)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown shape '" + word + "'");
  }
}
