package mantis.sim;

/**
 * The task families of the tabletop suite, each with language templates and a success predicate.
 */
public enum TaskFamily {
  /**
   * "reach the &lt;object&gt;": the pusher (or hand) ends within the object's half-size + 0.02 m of
   * its centre.
   */
  REACH,
  /**
   * "push the &lt;object&gt; &lt;left|right|up|down&gt;": the object moves at least 0.08 m along
   * the direction (left = -x, up = +y, i.e. up in the image) and mostly along it.
   */
  PUSH_DIRECTION,
  /**
   * "push the &lt;object&gt; onto the &lt;colour&gt; target": the object's centre ends inside the
   * target square.
   */
  PUSH_TO_TARGET
}
