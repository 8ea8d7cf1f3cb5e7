package mantis.sim;

import java.util.List;
import java.util.Optional;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.PixelPoint;

/**
 * Pure-Java RGB8 renderer for one episode at one resolution.
 *
 * <p>At construction it casts every pixel's ray onto the table plane z = 0 through the (jittered)
 * camera model (exactly for small images, on a 4-pixel grid with bilinear interpolation for large
 * ones) and bakes the static background: table texture, distractors, target zones, all lit. Points
 * on a horizontal plane at height z follow from the z = 0 point by similar triangles through the
 * camera centre, so drawing a frame only visits the pixel boxes of the objects, their shadows and
 * the arm or hand, with a point-in-shape test per pixel.
 */
final class Renderer {
  private static final double LINK_Z_M = 0.07;
  private static final double PUSHER_TOP_Z_M = 0.035;
  private static final double[] LINK_HALF_WIDTH_M = {0.02, 0.017, 0.013};
  private static final double JOINT_RADIUS_M = 0.022;
  private static final int LINK_RGB = 0x4A4C52;
  private static final int JOINT_RGB = 0x2A2A2E;
  private static final int PUSHER_RGB = 0xA5A8AF;
  private static final int PUSHER_RIM_RGB = 0x6E7076;
  private static final double HAND_Z_M = 0.05;
  private static final int SKIN_RGB = 0xE0B696;
  private static final int SKIN_DARK_RGB = 0xB48A6E;

  private final int w;
  private final int h;
  private final float[] tx;
  private final float[] ty;
  private final int[] lightR;
  private final int[] lightG;
  private final int[] lightB;
  private final byte[] background;
  private final double cx;
  private final double cy;
  private final double cz;
  private final CameraModel camera;
  private final Appearance appearance;
  private final double[] fk = new double[8];
  private final int[] box = new int[4];
  private final long builtAtStep;

  Renderer(CameraModel camera, Appearance appearance, List<TargetZone> targets, long builtAtStep) {
    this.builtAtStep = builtAtStep;
    this.camera = camera;
    this.appearance = appearance;
    this.w = camera.widthPx();
    this.h = camera.heightPx();
    int n = w * h;
    tx = new float[n];
    ty = new float[n];
    Vec3 c = camera.extrinsics().cameraPositionM();
    cx = c.xM();
    cy = c.yM();
    cz = c.zM();
    castRays();
    lightR = new int[n];
    lightG = new int[n];
    lightB = new int[n];
    background = new byte[n * 3];
    for (int i = 0; i < n; i++) {
      double x = tx[i];
      double y = ty[i];
      double l = appearance.light(x, y);
      lightR[i] = (int) Math.round(256 * l * appearance.tintR());
      lightG[i] = (int) Math.round(256 * l * appearance.tintG());
      lightB[i] = (int) Math.round(256 * l * appearance.tintB());
      int rgb = appearance.tableColour(x, y);
      for (TargetZone t : targets) {
        double dx = Math.abs(x - t.xM());
        double dy = Math.abs(y - t.yM());
        double m = Math.max(dx, dy);
        if (m <= t.halfSizeM()) {
          rgb = m >= t.halfSizeM() - 0.008 ? t.rgb() : Colours.mix(rgb, t.rgb(), 0.22);
        }
      }
      put(background, i, rgb);
    }
  }

  int widthPx() {
    return w;
  }

  int heightPx() {
    return h;
  }

  CameraModel camera() {
    return camera;
  }

  /** The physics step whose camera this renderer uses (matters only when the camera shakes). */
  long builtAtStep() {
    return builtAtStep;
  }

  /**
   * The surface that {@link #render} draws at the (sub-pixel) image point (u, v), as a point fixed
   * to that surface: the same tests as drawing, in reverse drawing order (arm or hand, objects,
   * shadows, table).
   */
  Optional<SurfacePoint> pick(World world, Embodiment embodiment, double u, double v) {
    Optional<Vec3> hit = camera.pixelToPlane(new PixelPoint(u, v), 0.0);
    if (hit.isEmpty()) {
      return Optional.empty();
    }
    double x0 = hit.get().xM();
    double y0 = hit.get().yM();
    SurfacePoint p;
    if (embodiment == Embodiment.ARM && !world.arm.planar()) {
      p = pickSpatialArm(world.arm, world.q, u, v, x0, y0);
    } else if (embodiment == Embodiment.ARM) {
      p = pickArm(world.q, x0, y0);
    } else {
      p = pickHand(world.handX, world.handY, x0, y0);
    }
    if (p != null) {
      return Optional.of(p);
    }
    for (int k = world.n - 1; k >= 0; k--) {
      double ox = world.x[k];
      double oy = world.y[k];
      double half = world.half[k];
      boolean disc = world.disc[k];
      double height = world.spec.get(k).heightM();
      double f = (cz - height) / cz;
      double xt = cx + (x0 - cx) * f - ox;
      double yt = cy + (y0 - cy) * f - oy;
      if (inside(disc, xt, yt, half)) {
        return Optional.of(new SurfacePoint(SurfacePoint.Surface.OBJECT, k, xt, yt, height));
      }
      if (inside(disc, x0 - ox, y0 - oy, half)) {
        // A side face: take the ray's point at half height.
        double fh = (cz - height / 2) / cz;
        return Optional.of(
            new SurfacePoint(
                SurfacePoint.Surface.OBJECT,
                k,
                cx + (x0 - cx) * fh - ox,
                cy + (y0 - cy) * fh - oy,
                height / 2));
      }
    }
    for (int k = world.n - 1; k >= 0; k--) {
      double height = world.spec.get(k).heightM();
      double sx = world.x[k] + appearance.shadowDxPerM() * height;
      double sy = world.y[k] + appearance.shadowDyPerM() * height;
      if (inside(world.disc[k], x0 - sx, y0 - sy, world.half[k])) {
        return Optional.of(
            new SurfacePoint(
                SurfacePoint.Surface.SHADOW, k, x0 - world.x[k], y0 - world.y[k], 0.0));
      }
    }
    return Optional.of(new SurfacePoint(SurfacePoint.Surface.TABLE, -1, x0, y0, 0.0));
  }

  /** The point of the ray (through table point x0, y0) at height z. */
  private double[] atHeight(double x0, double y0, double z) {
    double f = (cz - z) / cz;
    return new double[] {cx + (x0 - cx) * f, cy + (y0 - cy) * f};
  }

  private SurfacePoint pickArm(double[] q, double x0, double y0) {
    Table.jointPositions(q, fk);
    double[] p = atHeight(x0, y0, LINK_Z_M);
    // Reverse drawing order: the tip's small disc, the joint discs, the links, then the pusher.
    if (inDisc(p, fk[6], fk[7], 0.009)) {
      return SurfacePoint.onLink(2, q, p[0], p[1], LINK_Z_M);
    }
    for (int j = 2; j >= 0; j--) {
      if (inDisc(p, fk[2 * j], fk[2 * j + 1], JOINT_RADIUS_M * (1 - 0.15 * j))) {
        return SurfacePoint.onLink(j, q, p[0], p[1], LINK_Z_M);
      }
    }
    for (int link = 2; link >= 0; link--) {
      if (inCapsule(
          p,
          fk[2 * link],
          fk[2 * link + 1],
          fk[2 * link + 2],
          fk[2 * link + 3],
          LINK_HALF_WIDTH_M[link])) {
        return SurfacePoint.onLink(link, q, p[0], p[1], LINK_Z_M);
      }
    }
    double[] pp = atHeight(x0, y0, PUSHER_TOP_Z_M);
    if (inDisc(pp, fk[6], fk[7], Table.PUSHER_RADIUS_M)) {
      return SurfacePoint.onLink(2, q, pp[0], pp[1], PUSHER_TOP_Z_M);
    }
    return null;
  }

  private SurfacePoint pickHand(double hx, double hy, double x0, double y0) {
    double[] p = atHeight(x0, y0, HAND_Z_M);
    double r = Table.HAND_RADIUS_M;
    boolean hit =
        inDisc(p, hx, hy, r) || inCapsule(p, hx + r * 0.7, hy, hx + r + 0.022, hy + 0.018, 0.0065);
    for (int f = 0; f < 4 && !hit; f++) {
      double fx = hx + (f - 1.5) * 0.013;
      hit = inCapsule(p, fx, hy + r * 0.6, fx, hy + r + 0.03 - Math.abs(f - 1.5) * 0.006, 0.0058);
    }
    return hit
        ? new SurfacePoint(SurfacePoint.Surface.HAND, -1, p[0] - hx, p[1] - hy, HAND_Z_M)
        : null;
  }

  private static boolean inDisc(double[] p, double x, double y, double r) {
    double dx = p[0] - x;
    double dy = p[1] - y;
    return dx * dx + dy * dy <= r * r;
  }

  private static boolean inCapsule(
      double[] p, double ax, double ay, double bx, double by, double halfWidth) {
    double vx = bx - ax;
    double vy = by - ay;
    double l2 = vx * vx + vy * vy;
    double px = p[0] - ax;
    double py = p[1] - ay;
    double t = l2 < 1e-18 ? 0 : (px * vx + py * vy) / l2;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    double dx = px - t * vx;
    double dy = py - t * vy;
    return dx * dx + dy * dy <= halfWidth * halfWidth;
  }

  private void castRays() {
    int step = (long) w * h <= 200 * 200 ? 1 : 4;
    if (step == 1) {
      for (int v = 0; v < h; v++) {
        for (int u = 0; u < w; u++) {
          double[] p = cast(u, v);
          tx[v * w + u] = (float) p[0];
          ty[v * w + u] = (float) p[1];
        }
      }
      return;
    }
    int gw = (w - 1) / step + 2;
    int gh = (h - 1) / step + 2;
    double[] gx = new double[gw * gh];
    double[] gy = new double[gw * gh];
    for (int j = 0; j < gh; j++) {
      for (int i = 0; i < gw; i++) {
        double[] p = cast(i * step, j * step);
        gx[j * gw + i] = p[0];
        gy[j * gw + i] = p[1];
      }
    }
    for (int v = 0; v < h; v++) {
      int j = v / step;
      double fy = (v - j * step) / (double) step;
      for (int u = 0; u < w; u++) {
        int i = u / step;
        double fx = (u - i * step) / (double) step;
        int a = j * gw + i;
        double x =
            (gx[a] * (1 - fx) + gx[a + 1] * fx) * (1 - fy)
                + (gx[a + gw] * (1 - fx) + gx[a + gw + 1] * fx) * fy;
        double y =
            (gy[a] * (1 - fx) + gy[a + 1] * fx) * (1 - fy)
                + (gy[a + gw] * (1 - fx) + gy[a + gw + 1] * fx) * fy;
        tx[v * w + u] = (float) x;
        ty[v * w + u] = (float) y;
      }
    }
  }

  private double[] cast(double u, double v) {
    Optional<Vec3> p = camera.pixelToPlane(new PixelPoint(u, v), 0.0);
    if (p.isEmpty()) {
      return new double[] {1e3, 1e3}; // off into the floor
    }
    return new double[] {p.get().xM(), p.get().yM()};
  }

  private static void put(byte[] out, int i, int rgb) {
    out[3 * i] = (byte) ((rgb >> 16) & 0xff);
    out[3 * i + 1] = (byte) ((rgb >> 8) & 0xff);
    out[3 * i + 2] = (byte) (rgb & 0xff);
  }

  private void putLit(byte[] out, int i, int rgb, double shade) {
    int s = (int) (shade * 256);
    int r = ((((rgb >> 16) & 0xff) * s >> 8) * lightR[i]) >> 8;
    int g = ((((rgb >> 8) & 0xff) * s >> 8) * lightG[i]) >> 8;
    int b = (((rgb & 0xff) * s >> 8) * lightB[i]) >> 8;
    out[3 * i] = (byte) (r > 255 ? 255 : r);
    out[3 * i + 1] = (byte) (g > 255 ? 255 : g);
    out[3 * i + 2] = (byte) (b > 255 ? 255 : b);
  }

  /** Draws the current world into {@code out} (w*h*3 bytes). */
  void render(World world, Embodiment embodiment, byte[] out) {
    System.arraycopy(background, 0, out, 0, background.length);
    List<ObjectState> specs = world.spec;
    // Shadows first, so that no object's shadow darkens another object.
    for (int k = 0; k < world.n; k++) {
      drawShadow(world, k, specs.get(k).heightM(), out);
    }
    for (int k = 0; k < world.n; k++) {
      drawObject(world, k, specs.get(k), out);
    }
    if (embodiment == Embodiment.ARM && !world.arm.planar()) {
      drawSpatialArm(world.arm, world.q, out);
    } else if (embodiment == Embodiment.ARM) {
      drawArm(world.q, out);
    } else {
      drawHand(world.handX, world.handY, out);
    }
  }

  /**
   * Pixel box of the table square [x0,x1]x[y0,y1] seen at heights z0 and z1; false if off-image.
   */
  private boolean pixelBox(double x0, double y0, double x1, double y1, double z0, double z1) {
    double minU = Double.POSITIVE_INFINITY;
    double minV = Double.POSITIVE_INFINITY;
    double maxU = Double.NEGATIVE_INFINITY;
    double maxV = Double.NEGATIVE_INFINITY;
    double[] zs = {z0, z1};
    for (double z : zs) {
      for (int c = 0; c < 4; c++) {
        double x = (c & 1) == 0 ? x0 : x1;
        double y = (c & 2) == 0 ? y0 : y1;
        Optional<PixelPoint> p = camera.project(new Vec3(x, y, z));
        if (p.isEmpty()) {
          return false;
        }
        minU = Math.min(minU, p.get().xPx());
        maxU = Math.max(maxU, p.get().xPx());
        minV = Math.min(minV, p.get().yPx());
        maxV = Math.max(maxV, p.get().yPx());
      }
    }
    box[0] = Math.max(0, (int) Math.floor(minU) - 1);
    box[1] = Math.max(0, (int) Math.floor(minV) - 1);
    box[2] = Math.min(w - 1, (int) Math.ceil(maxU) + 1);
    box[3] = Math.min(h - 1, (int) Math.ceil(maxV) + 1);
    return box[0] <= box[2] && box[1] <= box[3];
  }

  private static boolean inside(boolean disc, double dx, double dy, double half) {
    if (disc) {
      return dx * dx + dy * dy <= half * half;
    }
    return Math.abs(dx) <= half && Math.abs(dy) <= half;
  }

  private void drawShadow(World world, int k, double height, byte[] out) {
    double sx = appearance.shadowDxPerM() * height;
    double sy = appearance.shadowDyPerM() * height;
    double ox = world.x[k] + sx;
    double oy = world.y[k] + sy;
    double half = world.half[k];
    boolean disc = world.disc[k];
    if (!pixelBox(ox - half, oy - half, ox + half, oy + half, 0, 0)) {
      return;
    }
    for (int v = box[1]; v <= box[3]; v++) {
      int row = v * w;
      for (int u = box[0]; u <= box[2]; u++) {
        int i = row + u;
        if (inside(disc, tx[i] - ox, ty[i] - oy, half)) {
          out[3 * i] = (byte) (((out[3 * i] & 0xff) * 180) >> 8);
          out[3 * i + 1] = (byte) (((out[3 * i + 1] & 0xff) * 180) >> 8);
          out[3 * i + 2] = (byte) (((out[3 * i + 2] & 0xff) * 180) >> 8);
        }
      }
    }
  }

  private void drawObject(World world, int k, ObjectState spec, byte[] out) {
    double ox = world.x[k];
    double oy = world.y[k];
    double half = world.half[k];
    boolean disc = world.disc[k];
    double height = spec.heightM();
    if (!pixelBox(ox - half, oy - half, ox + half, oy + half, 0, height)) {
      return;
    }
    double f = (cz - height) / cz;
    double rim = half - 0.004;
    int rgb = spec.rgb();
    for (int v = box[1]; v <= box[3]; v++) {
      int row = v * w;
      for (int u = box[0]; u <= box[2]; u++) {
        int i = row + u;
        double x0 = tx[i];
        double y0 = ty[i];
        double xt = cx + (x0 - cx) * f - ox;
        double yt = cy + (y0 - cy) * f - oy;
        if (inside(disc, xt, yt, half)) {
          putLit(out, i, rgb, inside(disc, xt, yt, rim) ? 1.0 : 0.82);
        } else if (inside(disc, x0 - ox, y0 - oy, half)) {
          putLit(out, i, rgb, 0.62);
        }
      }
    }
  }

  private void drawArm(double[] q, byte[] out) {
    Table.jointPositions(q, fk);
    double tipX = fk[6];
    double tipY = fk[7];
    // The pusher: a round metal foot at the tip.
    drawDisc(tipX, tipY, PUSHER_TOP_Z_M, Table.PUSHER_RADIUS_M, PUSHER_RGB, PUSHER_RIM_RGB, out);
    for (int link = 0; link < 3; link++) {
      drawCapsule(
          fk[2 * link],
          fk[2 * link + 1],
          fk[2 * link + 2],
          fk[2 * link + 3],
          LINK_Z_M,
          LINK_HALF_WIDTH_M[link],
          LINK_RGB,
          out);
    }
    for (int j = 0; j < 3; j++) {
      drawDisc(
          fk[2 * j],
          fk[2 * j + 1],
          LINK_Z_M,
          JOINT_RADIUS_M * (1 - 0.15 * j),
          JOINT_RGB,
          JOINT_RGB,
          out);
    }
    drawDisc(tipX, tipY, LINK_Z_M, 0.009, PUSHER_RIM_RGB, PUSHER_RIM_RGB, out);
  }

  /**
   * A spatial arm seen through the camera: links as capsules between the projected origins of
   * successive joint frames (radius in pixels from each end's depth), lower links first so that
   * higher ones cover them; balls at the joints; the round pusher foot at the tool tip.
   */
  private void drawSpatialArm(SimRobot arm, double[] q, byte[] out) {
    List<Vec3> pts = arm.model().reach().framePoints(q);
    Vec3 tip = pts.get(pts.size() - 1);
    drawDisc(
        tip.xM(),
        tip.yM(),
        tip.zM() + SPATIAL_FOOT_TOP_ABOVE_TIP_M,
        Table.PUSHER_RADIUS_M,
        PUSHER_RGB,
        PUSHER_RIM_RGB,
        out);
    for (int k : spatialLinkOrder(pts)) {
      drawCapsule3d(pts.get(k), pts.get(k + 1), spatialLinkHalfWidth(k, pts.size()), LINK_RGB, out);
    }
    for (int k : spatialJointOrder(pts)) {
      drawBall(pts.get(k), SPATIAL_JOINT_RADIUS_M, JOINT_RGB, out);
    }
  }

  private static final double SPATIAL_FOOT_TOP_ABOVE_TIP_M = 0.025;
  private static final double SPATIAL_JOINT_RADIUS_M = 0.032;

  /**
   * Half width of the spatial arm's link k (from point k to k + 1 of {@code points} points): 4 cm
   * at the shoulder narrowing to 2.6 cm at the wrist; the last link (flange and pusher rod) 1 cm.
   */
  private static double spatialLinkHalfWidth(int k, int points) {
    int links = points - 1;
    if (k == links - 1) {
      return 0.01;
    }
    return 0.04 - 0.014 * k / Math.max(1, links - 2);
  }

  /** Indices of the links with length, in drawing order (ascending mean height, then index). */
  private static int[] spatialLinkOrder(List<Vec3> pts) {
    int n = pts.size() - 1;
    Integer[] idx = new Integer[n];
    double[] key = new double[n];
    int m = 0;
    for (int k = 0; k < n; k++) {
      Vec3 a = pts.get(k);
      Vec3 b = pts.get(k + 1);
      double len =
          Math.sqrt(
              (b.xM() - a.xM()) * (b.xM() - a.xM())
                  + (b.yM() - a.yM()) * (b.yM() - a.yM())
                  + (b.zM() - a.zM()) * (b.zM() - a.zM()));
      key[k] = 0.5 * (a.zM() + b.zM());
      if (len > 1e-6) {
        idx[m++] = k;
      }
    }
    Integer[] used = java.util.Arrays.copyOf(idx, m);
    java.util.Arrays.sort(
        used, (i, j) -> key[i] != key[j] ? Double.compare(key[i], key[j]) : Integer.compare(i, j));
    int[] out = new int[m];
    for (int i = 0; i < m; i++) {
      out[i] = used[i];
    }
    return out;
  }

  /** The joint points (1 .. size - 2) in drawing order: ascending height, then index. */
  private static int[] spatialJointOrder(List<Vec3> pts) {
    int n = pts.size() - 2;
    Integer[] idx = new Integer[n];
    for (int k = 0; k < n; k++) {
      idx[k] = k + 1;
    }
    java.util.Arrays.sort(
        idx,
        (i, j) -> {
          double zi = pts.get(i).zM();
          double zj = pts.get(j).zM();
          return zi != zj ? Double.compare(zi, zj) : Integer.compare(i, j);
        });
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  /** A point's pixel position and its radius scale {u, v, pixels per metre}; null if behind. */
  private double[] projectWithScale(Vec3 p) {
    Optional<PixelPoint> px = camera.project(p);
    double depth = camera.extrinsics().toCamera(p).zM();
    if (px.isEmpty() || !(depth > 1e-6)) {
      return null;
    }
    return new double[] {px.get().xPx(), px.get().yPx(), camera.intrinsics().fxPx() / depth};
  }

  /** Pixel box around the circles (u0, v0, r0) and (u1, v1, r1); false if off-image. */
  private boolean circlesBox(double u0, double v0, double r0, double u1, double v1, double r1) {
    box[0] = Math.max(0, (int) Math.floor(Math.min(u0 - r0, u1 - r1)) - 1);
    box[1] = Math.max(0, (int) Math.floor(Math.min(v0 - r0, v1 - r1)) - 1);
    box[2] = Math.min(w - 1, (int) Math.ceil(Math.max(u0 + r0, u1 + r1)) + 1);
    box[3] = Math.min(h - 1, (int) Math.ceil(Math.max(v0 + r0, v1 + r1)) + 1);
    return box[0] <= box[2] && box[1] <= box[3];
  }

  /**
   * The link parameter t in [0, 1] and squared-distance ratio (distance / radius)^2 of the pixel
   * (u, v) to the projected capsule {ua, va, ra, ub, vb, rb}; {t, ratio} (ratio > 1 outside).
   */
  private static double[] capsuleHit(
      double[] a, double[] b, double ha, double hb, double u, double v) {
    double vx = b[0] - a[0];
    double vy = b[1] - a[1];
    double l2 = vx * vx + vy * vy;
    double px = u - a[0];
    double py = v - a[1];
    double t = l2 < 1e-12 ? 0 : (px * vx + py * vy) / l2;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    double dx = px - t * vx;
    double dy = py - t * vy;
    double r = ha * a[2] + (hb * b[2] - ha * a[2]) * t;
    return new double[] {t, (dx * dx + dy * dy) / (r * r)};
  }

  private void drawCapsule3d(Vec3 a3, Vec3 b3, double halfWidth, int rgb, byte[] out) {
    double[] a = projectWithScale(a3);
    double[] b = projectWithScale(b3);
    if (a == null || b == null) {
      return;
    }
    double ra = halfWidth * a[2];
    double rb = halfWidth * b[2];
    if (!circlesBox(a[0], a[1], ra, b[0], b[1], rb)) {
      return;
    }
    for (int v = box[1]; v <= box[3]; v++) {
      int row = v * w;
      for (int u = box[0]; u <= box[2]; u++) {
        double ratio = capsuleHit(a, b, halfWidth, halfWidth, u, v)[1];
        if (ratio <= 1) {
          putLit(out, row + u, rgb, 0.8 + 0.45 * (1 - ratio));
        }
      }
    }
  }

  private void drawBall(Vec3 c3, double radius, int rgb, byte[] out) {
    double[] c = projectWithScale(c3);
    if (c == null) {
      return;
    }
    double r = radius * c[2];
    if (!circlesBox(c[0], c[1], r, c[0], c[1], r)) {
      return;
    }
    double r2 = r * r;
    for (int v = box[1]; v <= box[3]; v++) {
      int row = v * w;
      for (int u = box[0]; u <= box[2]; u++) {
        double dx = u - c[0];
        double dy = v - c[1];
        double d2 = dx * dx + dy * dy;
        if (d2 <= r2) {
          putLit(out, row + u, rgb, 0.85 + 0.3 * (1 - d2 / r2));
        }
      }
    }
  }

  /**
   * The spatial arm's surface at pixel (u, v) (whose ray meets the table at x0, y0): the same tests
   * as {@link #drawSpatialArm}, in reverse drawing order. A point on a link is kept as its distance
   * along the link and its horizontal offset from the link's axis ({@link
   * SurfacePoint#onSpatialLink}).
   */
  private SurfacePoint pickSpatialArm(
      SimRobot arm, double[] q, double u, double v, double x0, double y0) {
    List<Vec3> pts = arm.model().reach().framePoints(q);
    int[] joints = spatialJointOrder(pts);
    for (int i = joints.length - 1; i >= 0; i--) {
      Vec3 c3 = pts.get(joints[i]);
      double[] c = projectWithScale(c3);
      if (c != null) {
        double r = SPATIAL_JOINT_RADIUS_M * c[2];
        double dx = u - c[0];
        double dy = v - c[1];
        if (dx * dx + dy * dy <= r * r) {
          // A joint ball: the point where the link that starts there meets the ray's height.
          int link = Math.min(joints[i], pts.size() - 2);
          double[] p = atHeight(x0, y0, c3.zM());
          return SurfacePoint.onSpatialLink(link, pts, 0.0, p[0], p[1], c3.zM());
        }
      }
    }
    int[] links = spatialLinkOrder(pts);
    for (int i = links.length - 1; i >= 0; i--) {
      int k = links[i];
      Vec3 a3 = pts.get(k);
      Vec3 b3 = pts.get(k + 1);
      double[] a = projectWithScale(a3);
      double[] b = projectWithScale(b3);
      if (a == null || b == null) {
        continue;
      }
      double hw = spatialLinkHalfWidth(k, pts.size());
      double[] hit = capsuleHit(a, b, hw, hw, u, v);
      if (hit[1] <= 1) {
        double t = hit[0];
        double z = a3.zM() + (b3.zM() - a3.zM()) * t;
        double[] p = atHeight(x0, y0, z);
        return SurfacePoint.onSpatialLink(k, pts, t, p[0], p[1], z);
      }
    }
    Vec3 tip = pts.get(pts.size() - 1);
    double zf = tip.zM() + SPATIAL_FOOT_TOP_ABOVE_TIP_M;
    double[] pp = atHeight(x0, y0, zf);
    if (inDisc(pp, tip.xM(), tip.yM(), Table.PUSHER_RADIUS_M)) {
      return SurfacePoint.onSpatialLink(pts.size() - 2, pts, 1.0, pp[0], pp[1], zf);
    }
    return null;
  }

  private void drawHand(double hx, double hy, byte[] out) {
    double r = Table.HAND_RADIUS_M;
    // Four fingers and a thumb, then the palm over their roots.
    for (int f = 0; f < 4; f++) {
      double fx = hx + (f - 1.5) * 0.013;
      drawCapsule(
          fx,
          hy + r * 0.6,
          fx,
          hy + r + 0.03 - Math.abs(f - 1.5) * 0.006,
          HAND_Z_M,
          0.0058,
          SKIN_RGB,
          out);
    }
    drawCapsule(hx + r * 0.7, hy, hx + r + 0.022, hy + 0.018, HAND_Z_M, 0.0065, SKIN_RGB, out);
    drawDisc(hx, hy, HAND_Z_M, r, SKIN_RGB, SKIN_DARK_RGB, out);
    // Finger lines across the palm.
    for (int f = 0; f < 3; f++) {
      double lx = hx + (f - 1) * 0.013;
      drawCapsule(lx, hy + r * 0.25, lx, hy + r * 0.9, HAND_Z_M, 0.0012, SKIN_DARK_RGB, out);
    }
  }

  private void drawDisc(double x, double y, double z, double r, int rgb, int rimRgb, byte[] out) {
    if (!pixelBox(x - r, y - r, x + r, y + r, z, z)) {
      return;
    }
    double f = (cz - z) / cz;
    double r2 = r * r;
    double rim2 = (r * 0.8) * (r * 0.8);
    for (int v = box[1]; v <= box[3]; v++) {
      int row = v * w;
      for (int u = box[0]; u <= box[2]; u++) {
        int i = row + u;
        double dx = cx + (tx[i] - cx) * f - x;
        double dy = cy + (ty[i] - cy) * f - y;
        double d2 = dx * dx + dy * dy;
        if (d2 <= r2) {
          putLit(out, i, d2 <= rim2 ? rgb : rimRgb, 1.0);
        }
      }
    }
  }

  private void drawCapsule(
      double ax, double ay, double bx, double by, double z, double halfWidth, int rgb, byte[] out) {
    double minX = Math.min(ax, bx) - halfWidth;
    double maxX = Math.max(ax, bx) + halfWidth;
    double minY = Math.min(ay, by) - halfWidth;
    double maxY = Math.max(ay, by) + halfWidth;
    if (!pixelBox(minX, minY, maxX, maxY, z, z)) {
      return;
    }
    double f = (cz - z) / cz;
    double vx = bx - ax;
    double vy = by - ay;
    double l2 = vx * vx + vy * vy;
    double hw2 = halfWidth * halfWidth;
    for (int v = box[1]; v <= box[3]; v++) {
      int row = v * w;
      for (int u = box[0]; u <= box[2]; u++) {
        int i = row + u;
        double px = cx + (tx[i] - cx) * f - ax;
        double py = cy + (ty[i] - cy) * f - ay;
        double t = l2 < 1e-18 ? 0 : (px * vx + py * vy) / l2;
        t = t < 0 ? 0 : (t > 1 ? 1 : t);
        double dx = px - t * vx;
        double dy = py - t * vy;
        double d2 = dx * dx + dy * dy;
        if (d2 <= hw2) {
          // Cylinder shading: brighter along the axis.
          putLit(out, i, rgb, 0.8 + 0.45 * (1 - d2 / hw2));
        }
      }
    }
  }
}
