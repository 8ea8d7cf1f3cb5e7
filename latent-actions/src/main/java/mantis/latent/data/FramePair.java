package mantis.latent.data;

/**
 * Frame t and frame t + H of an episode, as RGB8 bytes (row-major, H x W x 3).
 *
 * @param ref which pair
 * @param first frame t
 * @param second frame t + H
 */
public record FramePair(PairRef ref, byte[] first, byte[] second) {
  /** Bytes to floats in [0, 1], same layout (H x W x 3). */
  public static float[] toFloats(byte[] rgb) {
    float[] f = new float[rgb.length];
    for (int i = 0; i < rgb.length; i++) {
      f[i] = (rgb[i] & 0xFF) / 255f;
    }
    return f;
  }
}
