package mantis.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstructionTest {
  @Test
  void everyReachPhrasingOfTheSuiteParsesAsReach() {
    for (String s :
        new String[] {
          "reach the red block",
          "reach for the red block",
          "touch the red block",
          "go to the red block",
          "move to the red block",
          "put the pusher on the red block"
        }) {
      Instruction i = Instruction.parse(s);
      assertEquals(Instruction.Kind.REACH, i.kind(), s);
      assertEquals(Palette.RED, i.colour(), s);
      assertEquals(Optional.of("block"), i.shape(), s);
    }
  }

  @Test
  void everyPushDirectionPhrasingGivesTheRightUnitVector() {
    String[][] cases = {
      {"push the blue disc left", "-1", "0"},
      {"push the blue disc to the right", "1", "0"},
      {"move the blue disc up", "0", "1"},
      {"slide the blue disc down", "0", "-1"},
      {"shove the blue disc left", "-1", "0"},
      {"nudge the blue disc to the left", "-1", "0"},
    };
    for (String[] c : cases) {
      Instruction i = Instruction.parse(c[0]);
      assertEquals(Instruction.Kind.PUSH_DIRECTION, i.kind(), c[0]);
      assertEquals(Palette.BLUE, i.colour());
      assertEquals(Optional.of("disc"), i.shape());
      assertEquals(Double.parseDouble(c[1]), i.directionX(), c[0]);
      assertEquals(Double.parseDouble(c[2]), i.directionY(), c[0]);
    }
  }

  @Test
  void everyPushToTargetPhrasingNamesObjectAndTargetColours() {
    for (String s :
        new String[] {
          "push the green block onto the yellow target",
              "push the green block into the yellow target",
          "move the green block onto the yellow target",
              "slide the green block to the yellow target",
          "put the green block on the yellow target", "get the green block into the yellow target"
        }) {
      Instruction i = Instruction.parse(s);
      assertEquals(Instruction.Kind.PUSH_TO_TARGET, i.kind(), s);
      assertEquals(Palette.GREEN, i.colour(), s);
      assertEquals(Optional.of(Palette.YELLOW), i.targetColour(), s);
    }
  }

  @Test
  void instructionsWithoutAKnownColourOrDirectionAreRejectedWithAReason() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Instruction.parse("reach the chartreuse block"));
    assertTrue(e.getMessage().contains("colour"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Instruction.parse("push the red block"));
    assertThrows(
        IllegalArgumentException.class,
        () -> Instruction.parse("push the red block onto the target"));
    assertThrows(IllegalArgumentException.class, () -> Instruction.parse("   "));
  }

  @Test
  void caseAndPunctuationDoNotMatter() {
    Instruction i = Instruction.parse("Push the PINK disc, to the Left!");
    assertEquals(Instruction.Kind.PUSH_DIRECTION, i.kind());
    assertEquals(Palette.PINK, i.colour());
    assertEquals(-1.0, i.directionX());
  }
}
