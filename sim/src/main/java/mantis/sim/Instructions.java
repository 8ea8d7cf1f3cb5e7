package mantis.sim;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Language templates. Every phrasing names the object as "the &lt;colour&gt; &lt;shape&gt;", the
 * target as "the &lt;colour&gt; target", and the direction with one of the words left, right, up,
 * down, so a simple parser can ground any of them.
 */
final class Instructions {
  private Instructions() {}

  static final List<String> REACH =
      List.of(
          "reach the %s",
          "reach for the %s",
          "touch the %s",
          "go to the %s",
          "move to the %s",
          "put the pusher on the %s");

  static final List<String> PUSH_DIRECTION =
      List.of(
          "push the %s %s",
          "push the %s to the %s",
          "move the %s %s",
          "slide the %s %s",
          "shove the %s %s",
          "nudge the %s to the %s");

  static final List<String> PUSH_TO_TARGET =
      List.of(
          "push the %s onto the %s",
          "push the %s into the %s",
          "move the %s onto the %s",
          "slide the %s to the %s",
          "put the %s on the %s",
          "get the %s into the %s");

  static String reach(String object, SplittableRandom rng) {
    return String.format(pick(REACH, rng), object);
  }

  static String pushDirection(String object, PushDirection d, SplittableRandom rng) {
    String template = pick(PUSH_DIRECTION, rng);
    if (template.contains("to the") && (d == PushDirection.UP || d == PushDirection.DOWN)) {
      // "to the up" is not English: fall back to the bare form.
      template = "push the %s %s";
    }
    return String.format(template, object, d.word());
  }

  static String pushToTarget(String object, String target, SplittableRandom rng) {
    return String.format(pick(PUSH_TO_TARGET, rng), object, target);
  }

  private static String pick(List<String> templates, SplittableRandom rng) {
    return templates.get(rng.nextInt(templates.size()));
  }
}
