#!/usr/bin/env python3
"""A stand-in for a ros_control JointTrajectoryController: checks every trajectory it receives.

Usage: controller_stub.py TOPIC JOINTS LIMIT_RAD
  TOPIC      e.g. /arm_controller/command
  JOINTS     comma-separated joint names the trajectory must carry, in any order
  LIMIT_RAD  every position must satisfy |p| <= LIMIT_RAD
Prints one line per trajectory: "TRAJ ok points=N", "TRAJ stop" (an empty trajectory, which a
JointTrajectoryController takes as "stop where you are") or "TRAJ bad <reason>".
"""
import math
import sys

import rospy
from trajectory_msgs.msg import JointTrajectory


def check(msg, joints, limit):
    if not msg.points:
        return None
    if sorted(msg.joint_names) != sorted(joints):
        return "joint names %s" % list(msg.joint_names)
    last = -1.0
    for i, p in enumerate(msg.points):
        if len(p.positions) != len(joints):
            return "point %d has %d positions" % (i, len(p.positions))
        for v in list(p.positions) + list(p.velocities) + list(p.accelerations):
            if not math.isfinite(v):
                return "point %d not finite" % i
        if any(abs(v) > limit for v in p.positions):
            return "point %d outside limits: %s" % (i, list(p.positions))
        t = p.time_from_start.to_sec()
        if t <= last or t < 0:
            return "time_from_start not increasing at point %d (%f after %f)" % (i, t, last)
        last = t
    return None


def main():
    topic, joints, limit = sys.argv[1], sys.argv[2].split(","), float(sys.argv[3])
    rospy.init_node("controller_stub", anonymous=True, disable_signals=True)

    def on_traj(msg):
        reason = check(msg, joints, limit)
        if reason is None and not msg.points:
            print("TRAJ stop", flush=True)
        elif reason is None:
            print("TRAJ ok points=%d" % len(msg.points), flush=True)
        else:
            print("TRAJ bad %s" % reason, flush=True)

    rospy.Subscriber(topic, JointTrajectory, on_traj, queue_size=100, tcp_nodelay=True)
    print("READY", flush=True)
    rospy.spin()


if __name__ == "__main__":
    main()
