package mantis.baseline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed tabletop instruction: "reach the red block", "push the blue disc left", "push the green
 * block onto the yellow target".
 *
 * @param kind what to do
 * @param colour the object's colour
 * @param shape the object's shape word ("block", "disc"), empty when not given
 * @param directionX x of the unit push direction (table frame), for {@link Kind#PUSH_DIRECTION}
 * @param directionY y of the unit push direction
 * @param targetColour the target zone's colour, for {@link Kind#PUSH_TO_TARGET}
 */
record Instruction(
    Kind kind,
    Palette colour,
    Optional<String> shape,
    double directionX,
    double directionY,
    Optional<Palette> targetColour) {

  enum Kind {
    REACH,
    PUSH_DIRECTION,
    PUSH_TO_TARGET
  }

  Instruction {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(colour, "colour");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(targetColour, "targetColour");
  }

  private static final List<String> SHAPES =
      List.of("block", "cube", "square", "disc", "disk", "puck", "circle");

  /**
   * Parses an instruction.
   *
   * @throws IllegalArgumentException with a precise reason when the instruction cannot be
   *     understood
   */
  static Instruction parse(String text) {
    Objects.requireNonNull(text, "text");
    String[] words = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z ]", " ").trim().split("\\s+");
    List<String> tokens = new ArrayList<>(List.of(words));
    if (tokens.isEmpty() || tokens.get(0).isEmpty()) {
      throw new IllegalArgumentException("instruction is empty");
    }
    boolean push =
        tokens.contains("push")
            || tokens.contains("slide")
            || tokens.contains("shove")
            || tokens.contains("nudge")
            || (tokens.contains("move") && !tokens.contains("to"));
    boolean reach =
        tokens.contains("reach")
            || tokens.contains("touch")
            || tokens.contains("go")
            || (tokens.contains("move") && tokens.indexOf("to") == tokens.indexOf("move") + 1)
            || (tokens.contains("pusher") && tokens.contains("on"));
    int targetIndex = tokens.indexOf("target");
    if (targetIndex < 0) {
      targetIndex = tokens.indexOf("zone");
    }

    // Object: the first colour word (not the target's), optionally followed by a shape word.
    Palette colour = null;
    Optional<String> shape = Optional.empty();
    Optional<Palette> targetColour = Optional.empty();
    for (int i = 0; i < tokens.size(); i++) {
      Optional<Palette> p = Palette.fromWord(tokens.get(i));
      if (p.isEmpty()) {
        continue;
      }
      boolean isTarget =
          i + 1 < tokens.size()
              && (tokens.get(i + 1).equals("target") || tokens.get(i + 1).equals("zone"));
      if (isTarget) {
        targetColour = p;
      } else if (colour == null) {
        colour = p.get();
        if (i + 1 < tokens.size() && SHAPES.contains(tokens.get(i + 1))) {
          shape = Optional.of(canonicalShape(tokens.get(i + 1)));
        }
      }
    }
    if (colour == null) {
      throw new IllegalArgumentException(
          "instruction names no object colour the baseline knows: \"" + text + "\"");
    }
    if (targetIndex >= 0 && targetColour.isEmpty()) {
      throw new IllegalArgumentException(
          "instruction mentions a target but not its colour: \"" + text + "\"");
    }
    if (targetColour.isPresent()) {
      return new Instruction(Kind.PUSH_TO_TARGET, colour, shape, 0, 0, targetColour);
    }
    Optional<double[]> direction = direction(tokens);
    if (direction.isPresent() && !reach) {
      double[] d = direction.get();
      return new Instruction(Kind.PUSH_DIRECTION, colour, shape, d[0], d[1], Optional.empty());
    }
    if (push && !reach) {
      throw new IllegalArgumentException(
          "push instruction without a direction or target: \"" + text + "\"");
    }
    // "reach", "touch", "go to" - or just an object named without a verb.
    return new Instruction(Kind.REACH, colour, shape, 0, 0, Optional.empty());
  }

  private static Optional<double[]> direction(List<String> tokens) {
    for (String t : tokens) {
      switch (t) {
        case "left":
          return Optional.of(new double[] {-1, 0});
        case "right":
          return Optional.of(new double[] {1, 0});
        case "up", "forward", "away":
          return Optional.of(new double[] {0, 1});
        case "down", "back", "backward", "backwards", "closer":
          return Optional.of(new double[] {0, -1});
        default:
          break;
      }
    }
    return Optional.empty();
  }

  private static String canonicalShape(String word) {
    return switch (word) {
      case "disc", "disk", "puck", "circle" -> "disc";
      default -> "block";
    };
  }
}
