package mantis.sim.client;

/** How the client puts frames on the wire. */
public enum FrameFormat {
  /** Raw RGB8 pixels: no encoding cost, width*height*3 bytes. */
  RAW_RGB8,
  /** PNG: lossless, smaller, costs encoding and decoding time. */
  PNG
}
