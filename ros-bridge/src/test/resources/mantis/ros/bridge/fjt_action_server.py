#!/usr/bin/env python3
"""A FollowJointTrajectory action server for the bridge's tests, in rospy + actionlib.

Debian packages no control_msgs, so the message classes are generated here, at run time, by genpy
from the FollowJointTrajectory.action text below: the .action is split into goal, result and
feedback and expanded into the seven .msg types as genaction does, and genpy generates their Python
classes (genpy.dynamic writes them to a temp folder it puts on sys.path). Dependencies
(std_msgs/Header, trajectory_msgs/*, actionlib_msgs/*) come from the installed Debian packages.

  --md5                 print "MD5 <type> <md5sum>" for every generated type and exit
  --ns NS               serve the action in NS (a SimpleActionServer)
  --mode run|finish     run: each goal runs until its last time_from_start (feedback every 20 ms),
                        or until preempted/cancelled; finish: each goal gets its result at once
  --abort-every K       with --mode finish: every K-th goal is aborted (error_code -4)

Prints GOAL, PREEMPT, CANCELMSG, RESULT lines (one per event) and READY once it serves.
"""
import argparse
import sys
import threading

import genpy.dynamic

ACTION = """\
# The trajectory for all revolute, continuous or prismatic joints
trajectory_msgs/JointTrajectory trajectory
# Tolerances applied to the joints as the trajectory is executed.
JointTolerance[] path_tolerance
# To report success, the joints must be within goal_tolerance of the final trajectory value.
JointTolerance[] goal_tolerance
duration goal_time_tolerance

---
int32 error_code
int32 SUCCESSFUL = 0
int32 INVALID_GOAL = -1
int32 INVALID_JOINTS = -2
int32 OLD_HEADER_TIMESTAMP = -3
int32 PATH_TOLERANCE_VIOLATED = -4
int32 GOAL_TOLERANCE_VIOLATED = -5

# Human readable description of the error code.
string error_string

---
Header header
string[] joint_names
trajectory_msgs/JointTrajectoryPoint desired
trajectory_msgs/JointTrajectoryPoint actual
trajectory_msgs/JointTrajectoryPoint error
"""

JOINT_TOLERANCE = """\
# The tolerances specify the amount the position, velocity, and
# accelerations can vary from the setpoints.
string name
float64 position  # in radians or meters (for a revolute or prismatic joint, respectively)
float64 velocity  # in rad/sec or m/sec
float64 acceleration  # in rad/sec^2 or m/sec^2
"""

SEP = "\n" + "=" * 80 + "\n"


def split_full_text(cls, into):
    """Adds each message of an installed class's _full_text to `into` (type -> .msg text)."""
    parts = cls._full_text.split(SEP)
    into.setdefault(cls._type, parts[0])
    for p in parts[1:]:
        first, _, rest = p.partition("\n")
        assert first.startswith("MSG: "), first
        into.setdefault(first[5:].strip(), rest)


def genaction(pkg, name, text):
    """The seven .msg texts of an .action, as genaction writes them."""
    lines = text.split("\n")
    parts, cur = [], []
    for line in lines:
        if line.startswith("---"):
            parts.append("\n".join(cur))
            cur = []
        else:
            cur.append(line)
    parts.append("\n".join(cur))
    assert len(parts) == 3, len(parts)
    goal, result, feedback = parts
    p = pkg + "/" + name
    return {
        p + "Goal": goal,
        p + "Result": result,
        p + "Feedback": feedback,
        p + "ActionGoal": "Header header\nactionlib_msgs/GoalID goal_id\n%sGoal goal\n" % name,
        p + "ActionResult": "Header header\nactionlib_msgs/GoalStatus status\n%sResult result\n" % name,
        p + "ActionFeedback": "Header header\nactionlib_msgs/GoalStatus status\n%sFeedback feedback\n" % name,
        p + "Action": "%sActionGoal action_goal\n%sActionResult action_result\n%sActionFeedback action_feedback\n"
        % (name, name, name),
    }


def generate():
    import actionlib_msgs.msg
    import trajectory_msgs.msg

    texts = {}
    for cls in (trajectory_msgs.msg.JointTrajectory, actionlib_msgs.msg.GoalStatusArray):
        split_full_text(cls, texts)
    texts["control_msgs/JointTolerance"] = JOINT_TOLERANCE
    texts.update(genaction("control_msgs", "FollowJointTrajectory", ACTION))
    core = "control_msgs/FollowJointTrajectoryAction"
    cat = texts[core] + "".join(SEP + "MSG: " + t + "\n" + txt for t, txt in texts.items() if t != core)
    return genpy.dynamic.generate_dynamic(core, cat)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--md5", action="store_true")
    ap.add_argument("--ns", default="/arm_controller/follow_joint_trajectory")
    ap.add_argument("--mode", choices=["run", "finish"], default="run")
    ap.add_argument("--abort-every", type=int, default=0)
    args = ap.parse_args(sys.argv[1:])

    classes = generate()
    if args.md5:
        import actionlib_msgs.msg
        for t in sorted(classes):
            print("MD5 %s %s" % (t, classes[t]._md5sum))
        for cls in (actionlib_msgs.msg.GoalID, actionlib_msgs.msg.GoalStatus, actionlib_msgs.msg.GoalStatusArray):
            print("MD5 %s %s" % (cls._type, cls._md5sum))
        sys.stdout.flush()
        return

    import actionlib
    import actionlib_msgs.msg
    import rospy

    Action = classes["control_msgs/FollowJointTrajectoryAction"]
    Result = classes["control_msgs/FollowJointTrajectoryResult"]
    Feedback = classes["control_msgs/FollowJointTrajectoryFeedback"]
    rospy.init_node("fjt_action_server", disable_signals=True)
    lock = threading.Lock()
    count = [0]

    def out(line):
        with lock:
            print(line, flush=True)

    def fmt(values):
        return ",".join("%.6f" % v for v in values)

    def on_cancel(msg):
        out("CANCELMSG id=%s stamp=%d.%09d" % (msg.id, msg.stamp.secs, msg.stamp.nsecs))

    rospy.Subscriber(args.ns + "/cancel", actionlib_msgs.msg.GoalID, on_cancel)

    server = None

    def execute(goal):
        count[0] += 1
        k = count[0]
        gid = server.current_goal.get_goal_id().id
        t = goal.trajectory
        pts = t.points
        out("GOAL n=%d id=%s joints=%s points=%d positions=%s velocities=%s tfs=%s path_tol=%s goal_tol=%s gtt=%.3f"
            % (k, gid, ",".join(t.joint_names), len(pts),
               "|".join(fmt(p.positions) for p in pts),
               "|".join(fmt(p.velocities) for p in pts),
               ",".join("%.3f" % p.time_from_start.to_sec() for p in pts),
               "|".join("%s:%g:%g:%g" % (x.name, x.position, x.velocity, x.acceleration) for x in goal.path_tolerance),
               "|".join("%s:%g:%g:%g" % (x.name, x.position, x.velocity, x.acceleration) for x in goal.goal_tolerance),
               goal.goal_time_tolerance.to_sec()))
        if args.mode == "finish":
            if args.abort_every and k % args.abort_every == 0:
                r = Result(error_code=Result.PATH_TOLERANCE_VIOLATED,
                           error_string="%s path tolerance violated by 0.25 rad" % t.joint_names[0])
                server.set_aborted(r, "path tolerance")
                out("RESULT id=%s aborted" % gid)
            else:
                server.set_succeeded(Result(error_code=0, error_string=""))
                out("RESULT id=%s succeeded" % gid)
            return
        end = rospy.get_rostime() + (pts[-1].time_from_start if pts else rospy.Duration(0))
        while not rospy.is_shutdown():
            if server.is_preempt_requested():
                out("PREEMPT id=%s new_goal=%s" % (gid, server.is_new_goal_available()))
                server.set_preempted(Result(error_code=0, error_string=""))
                return
            if rospy.get_rostime() >= end:
                break
            fb = Feedback()
            fb.header.stamp = rospy.get_rostime()
            fb.joint_names = t.joint_names
            fb.desired.positions = pts[-1].positions
            fb.actual.positions = pts[-1].positions
            fb.error.positions = [0.02 * (i + 1) for i in range(len(t.joint_names))]
            server.publish_feedback(fb)
            rospy.sleep(0.02)
        server.set_succeeded(Result(error_code=0, error_string=""))
        out("RESULT id=%s succeeded" % gid)

    server = actionlib.SimpleActionServer(args.ns, Action, execute_cb=execute, auto_start=False)
    server.start()
    out("READY")
    rospy.spin()


if __name__ == "__main__":
    main()
