#!/usr/bin/env python3
"""A stand-in robot for the bridge tests (rospy; written to a temp dir and run by the Java tests).

    fake_robot.py --joints a,b,c --positions 0.1,-0.2,0.3 --command /arm_controller/command
                  [--rate 20] [--clock-start SECS] [--rosout NODE]

Publishes a 2x1 rgb8 image on /camera/image_raw and a sensor_msgs/JointState (the joints at the
given positions, stamp 0) on /joint_states, RATE times per wall-clock second. With --clock-start
it also publishes rosgraph_msgs/Clock on /clock every 20 ms, from SECS on at the wall clock's
pace. It records what the bridge sends back and prints one line per message:

    CMD stamp=<secs.nsecs> clock=<latest /clock published, or -> points=<n> last=<p1,p2,...>
    ROSOUT level=<n> name=<node> file=<file> function=<function> line=<n> msg=<text>

(ROSOUT only for messages from NODE). Prints READY once its publishers and subscribers exist, then
runs until terminated. Loops sleep on the wall clock: under /use_sim_time rospy's own sleeps would
wait for the /clock this script publishes.
"""
import argparse
import threading
import time

import genpy
import rospy
from rosgraph_msgs.msg import Clock, Log
from sensor_msgs.msg import Image, JointState
from trajectory_msgs.msg import JointTrajectory

# rospy runs each subscription's callbacks on a thread of its own: one lock keeps every printed line
# whole (two unlocked prints can interleave, and a line then no longer starts with its tag).
_print_lock = threading.Lock()


def say(line):
    with _print_lock:
        print(line, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--joints", required=True)
    ap.add_argument("--positions", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--clock-start", type=float, default=None)
    ap.add_argument("--rosout", default=None)
    args = ap.parse_args()
    joints = args.joints.split(",")
    positions = [float(p) for p in args.positions.split(",")]

    rospy.init_node("fake_robot", anonymous=True, disable_signals=True)
    lock = threading.Lock()
    latest_clock = [None]

    def on_command(msg):
        with lock:
            clock = latest_clock[0]
        last = ",".join(repr(float(p)) for p in msg.points[-1].positions) if msg.points else ""
        say("CMD stamp=%d.%09d clock=%s points=%d last=%s" % (
            msg.header.stamp.secs, msg.header.stamp.nsecs,
            "-" if clock is None else "%d.%09d" % (clock.secs, clock.nsecs),
            len(msg.points), last))

    def on_rosout(msg):
        if msg.name == args.rosout:
            say("ROSOUT level=%d name=%s file=%s function=%s line=%d msg=%s" % (
                msg.level, msg.name, msg.file, msg.function, msg.line,
                msg.msg.replace("\n", " ")))

    rospy.Subscriber(args.command, JointTrajectory, on_command, queue_size=100,
                     tcp_nodelay=True)
    if args.rosout:
        rospy.Subscriber("/rosout", Log, on_rosout, queue_size=100, tcp_nodelay=True)
    images = rospy.Publisher("/camera/image_raw", Image, queue_size=10)
    states = rospy.Publisher("/joint_states", JointState, queue_size=10)
    clock_pub = rospy.Publisher("/clock", Clock, queue_size=10) if args.clock_start else None

    if clock_pub is not None:
        def clock_loop():
            t0 = time.time()
            while not rospy.is_shutdown():
                now = genpy.Time.from_sec(args.clock_start + (time.time() - t0))
                with lock:
                    latest_clock[0] = now
                clock_pub.publish(Clock(clock=now))
                time.sleep(0.02)
        threading.Thread(target=clock_loop, daemon=True).start()

    say("READY")
    period = 1.0 / args.rate
    frame = 0
    while not rospy.is_shutdown():
        frame += 1
        img = Image()
        img.height, img.width, img.encoding, img.step = 1, 2, "rgb8", 6
        img.data = bytes([frame % 256, 1, 2, 3, 4, 5])
        images.publish(img)
        js = JointState()
        js.name = joints
        js.position = positions
        states.publish(js)
        time.sleep(period)


if __name__ == "__main__":
    main()
