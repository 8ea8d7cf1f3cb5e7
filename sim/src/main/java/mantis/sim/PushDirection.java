package mantis.sim;

/** Directions of the push-direction family, in the table frame (up = +y = up in the image). */
public enum PushDirection {
  LEFT("left", -1, 0),
  RIGHT("right", 1, 0),
  UP("up", 0, 1),
  DOWN("down", 0, -1);

  private final String word;
  private final double dx;
  private final double dy;

  PushDirection(String word, double dx, double dy) {
    this.word = word;
    this.dx = dx;
    this.dy = dy;
  }

  /** The word used in instructions: left, right, up, down. */
  public String word() {
    return word;
  }

  /** Unit vector x component, table frame. */
  public double dx() {
    return dx;
  }

  /** Unit vector y component, table frame. */
  public double dy() {
    return dy;
  }
}
