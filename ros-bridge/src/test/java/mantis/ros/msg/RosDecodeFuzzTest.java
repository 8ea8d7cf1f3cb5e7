package mantis.ros.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Seeded fuzzing of every decoder: random bytes and mutated valid encodings. */
@Tag("slow")
class RosDecodeFuzzTest {
  private static final int INPUTS = 120_000;

  @Test
  void decodersOnlyEverThrowMessageFormatExceptionAndFinishQuickly() {
    Random rnd = new Random(20261126L);
    List<RosMessageType<?>> types = new ArrayList<>();
    List<byte[]> valid = new ArrayList<>();
    for (Map.Entry<RosMessageType<?>, Object> e : Samples.all().entrySet()) {
      types.add(e.getKey());
      valid.add(Samples.encode(e.getKey(), e.getValue()));
    }
    int decoded = 0;
    int rejected = 0;
    long start = System.nanoTime();
    for (int i = 0; i < INPUTS; i++) {
      int t = rnd.nextInt(types.size());
      RosMessageType<?> type = types.get(t);
      byte[] input = (i % 3 == 0) ? random(rnd) : mutate(rnd, valid.get(rnd.nextInt(valid.size())));
      try {
        Object m = type.decode(input);
        decoded++;
        assertEquals(m, type.decode(Samples.encode(type, m)), "re-encoding a decoded message");
      } catch (MessageFormatException expected) {
        rejected++;
      } catch (RuntimeException | Error e) {
        fail("input " + i + " for " + type.type() + " threw " + e, e);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(INPUTS, decoded + rejected);
    assertTrue(decoded > 100, "some mutations should still decode, got " + decoded);
    assertTrue(seconds < 10, "fuzzing took " + seconds + " s");
  }

  private static byte[] random(Random rnd) {
    byte[] b = new byte[rnd.nextInt(rnd.nextBoolean() ? 16 : 512)];
    rnd.nextBytes(b);
    return b;
  }

  private static byte[] mutate(Random rnd, byte[] valid) {
    byte[] b = valid.clone();
    switch (rnd.nextInt(5)) {
      case 0 -> { // flip a few bytes
        for (int k = rnd.nextInt(4) + 1; k > 0 && b.length > 0; k--) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
      }
      case 1 -> { // truncate
        b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
      }
      case 2 -> { // forge a length-like word somewhere
        if (b.length >= 4) {
          int at = rnd.nextInt(b.length - 3);
          int v = rnd.nextBoolean() ? -1 : rnd.nextInt(1 << 20);
          b[at] = (byte) v;
          b[at + 1] = (byte) (v >>> 8);
          b[at + 2] = (byte) (v >>> 16);
          b[at + 3] = (byte) (v >>> 24);
        }
      }
      case 3 -> { // append garbage
        byte[] longer = java.util.Arrays.copyOf(b, b.length + rnd.nextInt(8) + 1);
        for (int k = b.length; k < longer.length; k++) {
          longer[k] = (byte) rnd.nextInt(256);
        }
        b = longer;
      }
      default -> { // unchanged: must decode
      }
    }
    return b;
  }
}
