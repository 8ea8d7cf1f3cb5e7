package mantis.model.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant inside a gradient-recorded graph, with the constant held in memory
 * PyTorch owns.
 *
 * <p>DJL's {@code NDArray.mul(Number)}, {@code div(Number)}, {@code maximum(Number)} and {@code
 * minimum(Number)} wrap the number in a tensor whose storage is a Java direct buffer, then close
 * that array right after the forward operation. Autograd keeps the tensor for the backward pass
 * (these operations need the constant to compute their gradient), but nothing keeps the buffer: a
 * garbage collection between the forward and the backward pass frees it, and the backward pass
 * reads whatever the allocator put there since. Training then depends on when the collector ran
 * (seen as a resumed run ending a few ulps, or a whole Adam step, away from a straight one). The
 * constants here come from {@code NDManager.full}, which PyTorch allocates, so the graph's
 * reference keeps them alive. The arithmetic is the same as DJL's (a 0-dimensional float tensor),
 * so results are unchanged where no collection intervened.
 *
 * <p>Addition and subtraction of a number are safe with DJL's overloads (their gradient does not
 * read the constant), as is any use outside a gradient collector.
 */
final class GraphConstants {
  private GraphConstants() {}

  /** {@code x * c}. */
  static NDArray times(NDArray x, float c) {
    try (NDArray k = constant(x, c)) {
      return x.mul(k);
    }
  }

  /** {@code x / c}. */
  static NDArray dividedBy(NDArray x, float c) {
    try (NDArray k = constant(x, c)) {
      return x.div(k);
    }
  }

  /** Element-wise {@code max(x, c)}. */
  static NDArray atLeast(NDArray x, float c) {
    try (NDArray k = constant(x, c)) {
      return x.maximum(k);
    }
  }

  /** Element-wise {@code min(x, c)}. */
  static NDArray atMost(NDArray x, float c) {
    try (NDArray k = constant(x, c)) {
      return x.minimum(k);
    }
  }

  private static NDArray constant(NDArray like, float c) {
    return like.getManager().full(new Shape(), c, like.getDataType());
  }
}
