package mantis.model.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/** Concatenation helpers. */
final class NDArrays3 {
  private NDArrays3() {}

  /** Concatenates along the last axis of three rank-3 arrays. */
  static NDArray concat(NDArray a, NDArray b, NDArray c) {
    return NDArrays.concat(new NDList(a, b, c), 2);
  }

  /** Concatenates rank-2 arrays along axis 1. */
  static NDArray concat1(NDArray... arrays) {
    return NDArrays.concat(new NDList(arrays), 1);
  }
}
