package mantis.sim;

/** What acts in the scene. */
public enum Embodiment {
  /**
   * An arm with a round pusher, driven by joint targets ({@link TabletopSim#step}): the planar
   * 3-joint arm, or the robot {@link SimConfig#robot()} names (the UR5e-like 6-joint arm).
   */
  ARM,
  /**
   * A floating, skin-coloured "hand" (a palm disc with finger lines, no arm drawn) that pushes with
   * its palm, driven by table-plane targets ({@link TabletopSim#stepHand}). Its episodes have no
   * joint actions: they serve as action-free video.
   */
  HAND
}
