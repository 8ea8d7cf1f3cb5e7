package mantis.server;

import com.google.protobuf.ByteString;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import mantis.proto.v1.Frame;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.JointState;
import mantis.proto.v1.Observation;

/** Wire observations for tests. */
final class Observations {
  private Observations() {}

  static Frame rawFrame(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 31);
    }
    return Frame.newBuilder()
        .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
        .setWidthPx(w)
        .setHeightPx(h)
        .setData(ByteString.copyFrom(rgb))
        .build();
  }

  static JointState joints(double... positionsRad) {
    JointState.Builder b = JointState.newBuilder().addAllNames(TestServer.ROBOT.jointNames());
    for (double p : positionsRad) {
      b.addPositionsRad(p);
    }
    return b.build();
  }

  static Observation.Builder valid() {
    return Observation.newBuilder()
        .setRobotId("arm-1")
        .setEpisodeId("ep-1")
        .setStep(0)
        .addFrames(rawFrame(32, 24))
        .setInstruction("reach the red block")
        .setJointState(joints(0.1, 0.2, 0.3))
        .setCaptureTimeNanos(1)
        .setSendTimeNanos(2);
  }

  static byte[] encode(String format, int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x * 8) << 16 | (y * 8) << 8 | 0x40);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, format, out)) {
      throw new IllegalStateException("no writer for " + format);
    }
    return out.toByteArray();
  }

  static Frame encodedFrame(FrameEncoding encoding, byte[] data) {
    return Frame.newBuilder().setEncoding(encoding).setData(ByteString.copyFrom(data)).build();
  }
}
