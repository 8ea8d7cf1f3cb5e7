package mantis.sim;

/** Object shapes. Blocks are squares seen from above, discs are circles. */
public enum Shape {
  BLOCK("block"),
  DISC("disc");

  private final String word;

  Shape(String word) {
    this.word = word;
  }

  /** The word used in object names and instructions. */
  public String word() {
    return word;
  }
}
