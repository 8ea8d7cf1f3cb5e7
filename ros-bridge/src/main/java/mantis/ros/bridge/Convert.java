package mantis.ros.bridge;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.proto.v1.FrameEncoding;
import mantis.ros.msg.CompressedImage;
import mantis.ros.msg.Header;
import mantis.ros.msg.Image;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;
import mantis.ros.msg.RosDuration;
import mantis.ros.msg.RosTime;

/**
 * Conversions from ROS messages to {@code mantis.core} values and {@code mantis.v1} frames, and
 * from core chunks to ROS trajectories. Every method that reads input throws {@link
 * IllegalArgumentException} with a precise reason. Core values go to and from the wire through
 * {@link mantis.wire.ProtoMapping}.
 */
final class Convert {
  /** Largest frame side the server accepts, pixels. */
  static final int MAX_SIDE_PX = 8192;

  private Convert() {}

  /**
   * A raw RGB8 wire frame from an {@code rgb8} or {@code bgr8} image (bgr8 is swapped to RGB; row
   * padding beyond {@code width * 3} is dropped).
   */
  static mantis.proto.v1.Frame frame(Image image) {
    String enc = image.encoding();
    boolean bgr = "bgr8".equals(enc);
    if (!bgr && !"rgb8".equals(enc)) {
      throw new IllegalArgumentException(
          "image encoding '"
              + enc
              + "' is not supported; publish rgb8 or bgr8"
              + " (or use a compressed_image topic)");
    }
    long w = image.width();
    long h = image.height();
    if (w < 1 || h < 1 || w > MAX_SIDE_PX || h > MAX_SIDE_PX) {
      throw new IllegalArgumentException(
          "image is " + w + " x " + h + " px; each side must be 1.." + MAX_SIDE_PX);
    }
    long rowBytes = w * 3;
    if (image.stepBytes() < rowBytes) {
      throw new IllegalArgumentException(
          "image step " + image.stepBytes() + " bytes is less than width * 3 = " + rowBytes);
    }
    long needed = image.stepBytes() * (h - 1) + rowBytes;
    if (image.dataLength() < needed) {
      throw new IllegalArgumentException(
          "image data has "
              + image.dataLength()
              + " bytes; "
              + w
              + " x "
              + h
              + " "
              + enc
              + " with step "
              + image.stepBytes()
              + " needs "
              + needed);
    }
    java.nio.ByteBuffer src = image.dataView(); // read-only, no copy
    byte[] rgb = new byte[(int) (rowBytes * h)];
    int step = (int) image.stepBytes();
    int row = (int) rowBytes;
    for (int y = 0; y < h; y++) {
      int s = y * step;
      int d = y * row;
      if (bgr) {
        for (int x = 0; x < row; x += 3) {
          rgb[d + x] = src.get(s + x + 2);
          rgb[d + x + 1] = src.get(s + x + 1);
          rgb[d + x + 2] = src.get(s + x);
        }
      } else {
        src.get(s, rgb, d, row);
      }
    }
    return mantis.proto.v1.Frame.newBuilder()
        .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
        .setWidthPx((int) w)
        .setHeightPx((int) h)
        .setData(ByteString.copyFrom(rgb))
        .setCameraId(image.header().frameId())
        .build();
  }

  /**
   * A JPEG or PNG wire frame from a compressed image, bytes as they are (the magic bytes decide).
   */
  static mantis.proto.v1.Frame frame(CompressedImage image) {
    byte[] data = image.data();
    FrameEncoding enc;
    if (data.length >= 3
        && (data[0] & 0xFF) == 0xFF
        && (data[1] & 0xFF) == 0xD8
        && (data[2] & 0xFF) == 0xFF) {
      enc = FrameEncoding.FRAME_ENCODING_JPEG;
    } else if (data.length >= 8
        && (data[0] & 0xFF) == 0x89
        && data[1] == 'P'
        && data[2] == 'N'
        && data[3] == 'G') {
      enc = FrameEncoding.FRAME_ENCODING_PNG;
    } else {
      String fmt = image.format().toLowerCase(Locale.ROOT);
      throw new IllegalArgumentException(
          "compressed image (format '"
              + fmt
              + "', "
              + data.length
              + " bytes) is neither a JPEG nor a PNG file");
    }
    return mantis.proto.v1.Frame.newBuilder()
        .setEncoding(enc)
        .setData(ByteString.copyFrom(data))
        .setCameraId(image.header().frameId())
        .build();
  }

  /**
   * A ROS joint state as a core one in the robot's joint order: the message may list its joints in
   * any order and have more of them; each configured joint must be there with a finite position.
   *
   * @param rosNames the configured ROS joint names, in spec order
   * @param specNames the robot spec's joint names
   * @param stampNanos the state's time on the bridge's monotonic clock
   */
  static mantis.core.JointState jointState(
      mantis.ros.msg.JointState msg,
      List<String> rosNames,
      List<String> specNames,
      long stampNanos) {
    List<String> names = msg.name();
    if (msg.position().isEmpty()) {
      throw new IllegalArgumentException("joint state has no positions");
    }
    Map<String, Integer> index = new HashMap<>(names.size() * 2);
    for (int i = 0; i < names.size(); i++) {
      index.putIfAbsent(names.get(i), i);
    }
    int n = rosNames.size();
    double[] q = new double[n];
    double[] v = msg.velocity().isEmpty() ? null : new double[n];
    for (int j = 0; j < n; j++) {
      Integer k = index.get(rosNames.get(j));
      if (k == null) {
        throw new IllegalArgumentException(
            "joint state lacks joint '" + rosNames.get(j) + "' (it has " + names + ")");
      }
      double p = msg.position().get(k);
      if (!Double.isFinite(p)) {
        throw new IllegalArgumentException(
            "joint state position of '" + rosNames.get(j) + "' is " + p);
      }
      q[j] = p;
      if (v != null) {
        double vel = msg.velocity().get(k);
        if (Double.isFinite(vel)) {
          v[j] = vel;
        } else {
          v = null;
        }
      }
    }
    return new mantis.core.JointState(specNames, q, v, stampNanos);
  }

  /**
   * A safe chunk as a trajectory: the ROS joint names, one point per chunk point with positions and
   * {@code time_from_start}, no velocities; {@code header.stamp} is {@code wallNanos}.
   */
  static JointTrajectory trajectory(ActionChunk safe, List<String> rosNames, long wallNanos) {
    List<JointTrajectoryPoint> points = new ArrayList<>(safe.points().size());
    for (ActionPoint p : safe.points()) {
      points.add(point(p.positionsRad(), p.timeFromStartNanos()));
    }
    return new JointTrajectory(header(wallNanos), rosNames, points);
  }

  /**
   * A trajectory of one point: hold {@code positionsRad}, reached {@code timeFromStartNanos} from
   * now.
   */
  static JointTrajectory hold(
      double[] positionsRad, long timeFromStartNanos, List<String> rosNames, long wallNanos) {
    return new JointTrajectory(
        header(wallNanos), rosNames, List.of(point(positionsRad, timeFromStartNanos)));
  }

  /**
   * A trajectory with no points: joint_trajectory_controller stops at its current position. Used
   * for a hold when no joint state has been measured yet.
   */
  static JointTrajectory stop(List<String> rosNames, long wallNanos) {
    return new JointTrajectory(header(wallNanos), rosNames, List.of());
  }

  /**
   * {@code trajectory} with a velocity for every joint of every point, consistent with the
   * positions and times: at an inner point the central difference {@code (q[i+1] - q[i-1]) /
   * (t[i+1] - t[i-1])} (the duration-weighted mean of the two segments' mean velocities, so never
   * faster than the faster of them), at the first point the first segment's mean velocity, and zero
   * at the last point (the arm comes to rest at the end of a chunk that has no successor). A
   * one-point trajectory gets zero velocities. Accelerations and effort stay empty.
   *
   * @throws IllegalArgumentException when a point has no positions or times do not increase
   */
  static JointTrajectory withVelocities(JointTrajectory trajectory) {
    List<JointTrajectoryPoint> in = trajectory.points();
    int n = in.size();
    int joints = trajectory.jointNames().size();
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      JointTrajectoryPoint p = in.get(i);
      if (p.positions().size() != joints) {
        throw new IllegalArgumentException(
            "point " + i + " has " + p.positions().size() + " positions for " + joints + " joints");
      }
      t[i] = p.timeFromStart().toNanos() * 1e-9;
      if (i > 0 && !(t[i] > t[i - 1])) {
        throw new IllegalArgumentException(
            "time_from_start must increase, but point "
                + i
                + " is at "
                + t[i]
                + " s after "
                + t[i - 1]
                + " s");
      }
    }
    List<JointTrajectoryPoint> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      JointTrajectoryPoint p = in.get(i);
      List<Double> v = new ArrayList<>(joints);
      for (int j = 0; j < joints; j++) {
        double vel;
        if (i == n - 1) {
          vel = 0;
        } else {
          int a = i == 0 ? 0 : i - 1;
          vel =
              (in.get(i + 1).positions().get(j) - in.get(a).positions().get(j)) / (t[i + 1] - t[a]);
        }
        if (!Double.isFinite(vel)) {
          throw new IllegalArgumentException(
              "velocity of joint " + j + " at point " + i + " is " + vel);
        }
        v.add(vel);
      }
      out.add(
          new JointTrajectoryPoint(
              p.positions(), v, p.accelerations(), p.effort(), p.timeFromStart()));
    }
    return new JointTrajectory(trajectory.header(), trajectory.jointNames(), out);
  }

  private static JointTrajectoryPoint point(double[] positionsRad, long timeFromStartNanos) {
    List<Double> q = new ArrayList<>(positionsRad.length);
    for (double p : positionsRad) {
      if (!Double.isFinite(p)) {
        throw new IllegalStateException("refusing to publish a non-finite position " + p);
      }
      q.add(p);
    }
    return new JointTrajectoryPoint(
        q, List.of(), List.of(), List.of(), RosDuration.ofNanos(timeFromStartNanos));
  }

  private static Header header(long wallNanos) {
    return new Header(0, RosTime.ofNanos(Math.max(0, wallNanos)), "");
  }
}
