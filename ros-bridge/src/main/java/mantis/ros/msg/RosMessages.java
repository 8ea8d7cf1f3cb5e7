package mantis.ros.msg;

import java.util.List;

/** The supported ROS 1 message types. */
public final class RosMessages {
  private static final MsgDefinitions DEFS = MsgDefinitions.standard();

  /** Smallest encodings, used to bound array lengths read from the wire. */
  private static final int MIN_DIMENSION_BYTES = 4 + 4 + 4;

  private static final int MIN_POINT_BYTES = 4 * 4 + 8;

  public static final RosMessageType<Header> HEADER =
      new Codec<>(DEFS, "std_msgs/Header", Header.class, RosWriter::header, RosReader::header);

  public static final RosMessageType<RosString> STRING =
      new Codec<>(
          DEFS,
          "std_msgs/String",
          RosString.class,
          (out, m) -> out.string(m.data()),
          in -> new RosString(in.string("data")));

  public static final RosMessageType<RosBool> BOOL =
      new Codec<>(
          DEFS,
          "std_msgs/Bool",
          RosBool.class,
          (out, m) -> out.bool(m.data()),
          in -> new RosBool(in.bool("data")));

  public static final RosMessageType<RosEmpty> EMPTY =
      new Codec<>(DEFS, "std_msgs/Empty", RosEmpty.class, (out, m) -> {}, in -> RosEmpty.INSTANCE);

  public static final RosMessageType<MultiArrayDimension> MULTI_ARRAY_DIMENSION =
      new Codec<>(
          DEFS,
          "std_msgs/MultiArrayDimension",
          MultiArrayDimension.class,
          RosMessages::writeDimension,
          RosMessages::readDimension);

  public static final RosMessageType<MultiArrayLayout> MULTI_ARRAY_LAYOUT =
      new Codec<>(
          DEFS,
          "std_msgs/MultiArrayLayout",
          MultiArrayLayout.class,
          RosMessages::writeLayout,
          RosMessages::readLayout);

  public static final RosMessageType<Float64MultiArray> FLOAT64_MULTI_ARRAY =
      new Codec<>(
          DEFS,
          "std_msgs/Float64MultiArray",
          Float64MultiArray.class,
          (out, m) -> {
            writeLayout(out, m.layout());
            out.float64Array(m.data());
          },
          in -> new Float64MultiArray(readLayout(in), in.float64Array("data")));

  public static final RosMessageType<Image> IMAGE =
      new Codec<>(
          DEFS,
          "sensor_msgs/Image",
          Image.class,
          (out, m) -> {
            out.header(m.header());
            out.uint32(m.height());
            out.uint32(m.width());
            out.string(m.encoding());
            out.uint8(m.isBigendian());
            out.uint32(m.stepBytes());
            out.bytes(m.dataUnsafe());
          },
          in ->
              Image.wrap(
                  in.header(),
                  in.uint32("height"),
                  in.uint32("width"),
                  in.string("encoding"),
                  in.uint8("is_bigendian"),
                  in.uint32("step"),
                  in.bytes("data")));

  public static final RosMessageType<CompressedImage> COMPRESSED_IMAGE =
      new Codec<>(
          DEFS,
          "sensor_msgs/CompressedImage",
          CompressedImage.class,
          (out, m) -> {
            out.header(m.header());
            out.string(m.format());
            out.bytes(m.dataUnsafe());
          },
          in -> new CompressedImage(in.header(), in.string("format"), in.bytes("data")));

  public static final RosMessageType<RegionOfInterest> REGION_OF_INTEREST =
      new Codec<>(
          DEFS,
          "sensor_msgs/RegionOfInterest",
          RegionOfInterest.class,
          RosMessages::writeRoi,
          RosMessages::readRoi);

  public static final RosMessageType<CameraInfo> CAMERA_INFO =
      new Codec<>(
          DEFS,
          "sensor_msgs/CameraInfo",
          CameraInfo.class,
          (out, m) -> {
            out.header(m.header());
            out.uint32(m.height());
            out.uint32(m.width());
            out.string(m.distortionModel());
            out.float64Array(m.d());
            out.float64Fixed(m.k());
            out.float64Fixed(m.r());
            out.float64Fixed(m.p());
            out.uint32(m.binningX());
            out.uint32(m.binningY());
            writeRoi(out, m.roi());
          },
          in -> {
            Header header = in.header();
            long height = in.uint32("height");
            long width = in.uint32("width");
            String model = in.string("distortion_model");
            List<Double> d = in.float64Array("D");
            List<Double> k = in.float64Fixed("K", 9);
            List<Double> r = in.float64Fixed("R", 9);
            List<Double> p = in.float64Fixed("P", 12);
            long binningX = in.uint32("binning_x");
            long binningY = in.uint32("binning_y");
            return new CameraInfo(
                header, height, width, model, d, k, r, p, binningX, binningY, readRoi(in));
          });

  public static final RosMessageType<JointState> JOINT_STATE =
      new Codec<>(
          DEFS,
          "sensor_msgs/JointState",
          JointState.class,
          (out, m) -> {
            out.header(m.header());
            out.stringArray(m.name());
            out.float64Array(m.position());
            out.float64Array(m.velocity());
            out.float64Array(m.effort());
          },
          in ->
              new JointState(
                  in.header(),
                  in.stringArray("name"),
                  in.float64Array("position"),
                  in.float64Array("velocity"),
                  in.float64Array("effort")));

  public static final RosMessageType<JointTrajectoryPoint> JOINT_TRAJECTORY_POINT =
      new Codec<>(
          DEFS,
          "trajectory_msgs/JointTrajectoryPoint",
          JointTrajectoryPoint.class,
          RosMessages::writePoint,
          RosMessages::readPoint);

  public static final RosMessageType<JointTrajectory> JOINT_TRAJECTORY =
      new Codec<>(
          DEFS,
          "trajectory_msgs/JointTrajectory",
          JointTrajectory.class,
          (out, m) -> {
            out.header(m.header());
            out.stringArray(m.jointNames());
            out.uint32(m.points().size());
            for (JointTrajectoryPoint p : m.points()) {
              writePoint(out, p);
            }
          },
          RosMessages::readTrajectory);

  /** {@code rosgraph_msgs/Clock}, the simulated time on {@code /clock}. */
  public static final RosMessageType<Clock> CLOCK =
      new Codec<>(
          DEFS,
          "rosgraph_msgs/Clock",
          Clock.class,
          (out, m) -> out.time(m.clock()),
          in -> new Clock(in.time("clock")));

  /** {@code rosgraph_msgs/Log}, what nodes publish on {@code /rosout}. */
  public static final RosMessageType<Log> LOG =
      new Codec<>(
          DEFS,
          "rosgraph_msgs/Log",
          Log.class,
          (out, m) -> {
            out.header(m.header());
            out.int8(m.level());
            out.string(m.name());
            out.string(m.msg());
            out.string(m.file());
            out.string(m.function());
            out.uint32(m.line());
            out.stringArray(m.topics());
          },
          in ->
              new Log(
                  in.header(),
                  in.int8("level"),
                  in.string("name"),
                  in.string("msg"),
                  in.string("file"),
                  in.string("function"),
                  in.uint32("line"),
                  in.stringArray("topics")));

  /** Every supported type, nested ones included. */
  public static final List<RosMessageType<?>> ALL =
      List.of(
          HEADER,
          STRING,
          BOOL,
          EMPTY,
          MULTI_ARRAY_DIMENSION,
          MULTI_ARRAY_LAYOUT,
          FLOAT64_MULTI_ARRAY,
          IMAGE,
          COMPRESSED_IMAGE,
          REGION_OF_INTEREST,
          CAMERA_INFO,
          JOINT_STATE,
          JOINT_TRAJECTORY_POINT,
          JOINT_TRAJECTORY,
          CLOCK,
          LOG);

  private RosMessages() {}

  /** The supported type called {@code type} (e.g. {@code "sensor_msgs/Image"}). */
  public static RosMessageType<?> byName(String type) {
    for (RosMessageType<?> t : ALL) {
      if (t.type().equals(type)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported ROS message type '" + type + "'");
  }

  private static void writeDimension(RosWriter out, MultiArrayDimension d) {
    out.string(d.label());
    out.uint32(d.size());
    out.uint32(d.stride());
  }

  private static MultiArrayDimension readDimension(RosReader in) {
    return new MultiArrayDimension(
        in.string("dim.label"), in.uint32("dim.size"), in.uint32("dim.stride"));
  }

  private static void writeLayout(RosWriter out, MultiArrayLayout layout) {
    out.uint32(layout.dim().size());
    for (MultiArrayDimension d : layout.dim()) {
      writeDimension(out, d);
    }
    out.uint32(layout.dataOffset());
  }

  private static MultiArrayLayout readLayout(RosReader in) {
    List<MultiArrayDimension> dim =
        in.array("layout.dim", MIN_DIMENSION_BYTES, RosMessages::readDimension);
    return new MultiArrayLayout(dim, in.uint32("layout.data_offset"));
  }

  private static void writeRoi(RosWriter out, RegionOfInterest roi) {
    out.uint32(roi.xOffset());
    out.uint32(roi.yOffset());
    out.uint32(roi.height());
    out.uint32(roi.width());
    out.bool(roi.doRectify());
  }

  private static RegionOfInterest readRoi(RosReader in) {
    return new RegionOfInterest(
        in.uint32("roi.x_offset"),
        in.uint32("roi.y_offset"),
        in.uint32("roi.height"),
        in.uint32("roi.width"),
        in.bool("roi.do_rectify"));
  }

  static JointTrajectory readTrajectory(RosReader in) {
    return new JointTrajectory(
        in.header(),
        in.stringArray("joint_names"),
        in.array("points", MIN_POINT_BYTES, RosMessages::readPoint));
  }

  static void writePoint(RosWriter out, JointTrajectoryPoint p) {
    out.float64Array(p.positions());
    out.float64Array(p.velocities());
    out.float64Array(p.accelerations());
    out.float64Array(p.effort());
    out.duration(p.timeFromStart());
  }

  static JointTrajectoryPoint readPoint(RosReader in) {
    return new JointTrajectoryPoint(
        in.float64Array("positions"),
        in.float64Array("velocities"),
        in.float64Array("accelerations"),
        in.float64Array("effort"),
        in.duration("time_from_start"));
  }
}
