package mantis.calibration.camera;

import java.util.Locale;

/** Where the camera is. */
public enum HandEyeMode {
  /**
   * The camera rides on the gripper; the target is fixed in the world. Solves for the camera's pose
   * in the gripper frame (camera to gripper).
   */
  EYE_IN_HAND,
  /**
   * The camera is fixed in the world; the target rides on the gripper. Solves for the camera's pose
   * in the robot base frame (camera to base), by giving OpenCV the inverted gripper poses.
   */
  EYE_TO_HAND;

  /** Parses {@code eye-in-hand} or {@code eye-to-hand} (any case, {@code -} or {@code _}). */
  public static HandEyeMode parse(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (HandEyeMode m : values()) {
      if (m.name().equals(n)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown hand-eye mode '" + name + "': expected eye-in-hand or eye-to-hand");
  }

  /** {@code eye-in-hand} or {@code eye-to-hand}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The frame the solved camera pose is expressed in: {@code gripper} or {@code base}. */
  public String cameraParentFrame() {
    return this == EYE_IN_HAND ? "gripper" : "base";
  }
}
