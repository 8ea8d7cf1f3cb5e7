package mantis.ros.interop;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import mantis.ros.msg.CameraInfo;
import mantis.ros.msg.Clock;
import mantis.ros.msg.CompressedImage;
import mantis.ros.msg.Float64MultiArray;
import mantis.ros.msg.Header;
import mantis.ros.msg.Image;
import mantis.ros.msg.JointState;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;
import mantis.ros.msg.Log;
import mantis.ros.msg.MultiArrayDimension;
import mantis.ros.msg.MultiArrayLayout;
import mantis.ros.msg.RegionOfInterest;
import mantis.ros.msg.RosBool;
import mantis.ros.msg.RosDuration;
import mantis.ros.msg.RosEmpty;
import mantis.ros.msg.RosString;
import mantis.ros.msg.RosTime;

/**
 * The canonical JSON form of a message, the same one {@code interop_peer.py} reads and prints: ROS
 * field names, time and duration as {@code {secs, nsecs}}, {@code uint8[]} as lowercase hex,
 * float64 as numbers (NaN as the bare word). Written here by hand per record, so that a field the
 * Java records name or order differently from ROS shows up as a difference.
 */
final class Canonical {
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .build();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Canonical() {}

  static JsonNode of(Object message) {
    if (message instanceof Header h) {
      ObjectNode o = F.objectNode();
      o.put("seq", h.seq());
      o.set("stamp", time(h.stamp()));
      o.put("frame_id", h.frameId());
      return o;
    } else if (message instanceof RosString s) {
      return F.objectNode().put("data", s.data());
    } else if (message instanceof RosBool b) {
      return F.objectNode().put("data", b.data());
    } else if (message instanceof RosEmpty) {
      return F.objectNode();
    } else if (message instanceof MultiArrayDimension d) {
      return F.objectNode().put("label", d.label()).put("size", d.size()).put("stride", d.stride());
    } else if (message instanceof MultiArrayLayout l) {
      ObjectNode o = F.objectNode();
      ArrayNode dims = o.putArray("dim");
      l.dim().forEach(d -> dims.add(of(d)));
      o.put("data_offset", l.dataOffset());
      return o;
    } else if (message instanceof Float64MultiArray a) {
      ObjectNode o = F.objectNode();
      o.set("layout", of(a.layout()));
      o.set("data", doubles(a.data()));
      return o;
    } else if (message instanceof Image i) {
      ObjectNode o = F.objectNode();
      o.set("header", of(i.header()));
      o.put("height", i.height())
          .put("width", i.width())
          .put("encoding", i.encoding())
          .put("is_bigendian", i.isBigendian())
          .put("step", i.stepBytes())
          .put("data", HexFormat.of().formatHex(i.data()));
      return o;
    } else if (message instanceof CompressedImage c) {
      ObjectNode o = F.objectNode();
      o.set("header", of(c.header()));
      o.put("format", c.format()).put("data", HexFormat.of().formatHex(c.data()));
      return o;
    } else if (message instanceof RegionOfInterest r) {
      return F.objectNode()
          .put("x_offset", r.xOffset())
          .put("y_offset", r.yOffset())
          .put("height", r.height())
          .put("width", r.width())
          .put("do_rectify", r.doRectify());
    } else if (message instanceof CameraInfo c) {
      ObjectNode o = F.objectNode();
      o.set("header", of(c.header()));
      o.put("height", c.height())
          .put("width", c.width())
          .put("distortion_model", c.distortionModel());
      o.set("D", doubles(c.d()));
      o.set("K", doubles(c.k()));
      o.set("R", doubles(c.r()));
      o.set("P", doubles(c.p()));
      o.put("binning_x", c.binningX()).put("binning_y", c.binningY());
      o.set("roi", of(c.roi()));
      return o;
    } else if (message instanceof JointState j) {
      ObjectNode o = F.objectNode();
      o.set("header", of(j.header()));
      o.set("name", strings(j.name()));
      o.set("position", doubles(j.position()));
      o.set("velocity", doubles(j.velocity()));
      o.set("effort", doubles(j.effort()));
      return o;
    } else if (message instanceof JointTrajectoryPoint p) {
      ObjectNode o = F.objectNode();
      o.set("positions", doubles(p.positions()));
      o.set("velocities", doubles(p.velocities()));
      o.set("accelerations", doubles(p.accelerations()));
      o.set("effort", doubles(p.effort()));
      o.set("time_from_start", duration(p.timeFromStart()));
      return o;
    } else if (message instanceof JointTrajectory t) {
      ObjectNode o = F.objectNode();
      o.set("header", of(t.header()));
      o.set("joint_names", strings(t.jointNames()));
      ArrayNode points = o.putArray("points");
      t.points().forEach(p -> points.add(of(p)));
      return o;
    } else if (message instanceof Clock c) {
      ObjectNode o = F.objectNode();
      o.set("clock", time(c.clock()));
      return o;
    } else if (message instanceof Log l) {
      ObjectNode o = F.objectNode();
      o.set("header", of(l.header()));
      o.put("level", l.level())
          .put("name", l.name())
          .put("msg", l.msg())
          .put("file", l.file())
          .put("function", l.function())
          .put("line", l.line());
      o.set("topics", strings(l.topics()));
      return o;
    }
    throw new IllegalArgumentException("no canonical form for " + message.getClass());
  }

  /**
   * The differences between two canonical forms, one line per differing leaf with its path (e.g.
   * {@code header.stamp.nsecs: expected 5 but was 6}); paths in {@code ignored} are skipped.
   * Numbers compare by value (1 equals 1.0; NaN equals NaN; -0.0 does not equal 0.0).
   */
  static List<String> differences(JsonNode expected, JsonNode actual, Set<String> ignored) {
    List<String> out = new ArrayList<>();
    diff("", expected, actual, ignored, out);
    return out;
  }

  private static void diff(
      String path, JsonNode e, JsonNode a, Set<String> ignored, List<String> out) {
    if (ignored.contains(path)) {
      return;
    }
    String at = path.isEmpty() ? "(message)" : path;
    if (a == null || a.isMissingNode()) {
      out.add(at + ": missing");
    } else if (e.isObject() && a.isObject()) {
      Set<String> names = new TreeSet<>();
      e.fieldNames().forEachRemaining(names::add);
      a.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        String p = path.isEmpty() ? n : path + "." + n;
        if (!e.has(n)) {
          if (!ignored.contains(p)) {
            out.add(p + ": unexpected field, value " + a.get(n));
          }
        } else {
          diff(p, e.get(n), a.get(n), ignored, out);
        }
      }
    } else if (e.isArray() && a.isArray()) {
      if (e.size() != a.size()) {
        out.add(
            at + ": expected " + e.size() + " elements " + e + " but was " + a.size() + " " + a);
        return;
      }
      Iterator<JsonNode> ie = e.elements();
      Iterator<JsonNode> ia = a.elements();
      for (int i = 0; ie.hasNext(); i++) {
        diff(path + "[" + i + "]", ie.next(), ia.next(), ignored, out);
      }
    } else if (e.isNumber() && a.isNumber()) {
      boolean same =
          e.isIntegralNumber() && a.isIntegralNumber()
              ? e.bigIntegerValue().equals(a.bigIntegerValue())
              : Double.compare(e.doubleValue(), a.doubleValue()) == 0;
      if (!same) {
        out.add(at + ": expected " + e + " but was " + a);
      }
    } else if (!e.equals(a)) {
      out.add(at + ": expected " + e + " but was " + a);
    }
  }

  private static ObjectNode time(RosTime t) {
    return F.objectNode().put("secs", t.secs()).put("nsecs", t.nsecs());
  }

  private static ObjectNode duration(RosDuration d) {
    return F.objectNode().put("secs", d.secs()).put("nsecs", d.nsecs());
  }

  private static ArrayNode doubles(List<Double> values) {
    ArrayNode a = F.arrayNode();
    values.forEach(a::add);
    return a;
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode a = F.arrayNode();
    values.forEach(a::add);
    return a;
  }
}
