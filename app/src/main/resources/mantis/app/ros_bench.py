#!/usr/bin/env python3
"""rospy side of `mantis bench-ros` (extracted from the mantis jar to a temp dir and run by it).

    ros_bench.py receive TOPIC=KIND ...
        Subscribes to every TOPIC (KIND: joint_state or image; queue_size 100000, tcp_nodelay,
        a 16 MiB receive buffer) and records, per message, time.time() - header.stamp and
        header.seq; warm-up messages (header.frame_id "warmup") are not recorded. Prints READY
        once subscribed. Reads commands on stdin:
            STATS TOPIC   prints "STATS TOPIC {json}" with received, seq_gaps, p50/p99/max ms
                          and forgets what it recorded for TOPIC
            QUIT          exits
    ros_bench.py publish TOPIC KIND RATE_HZ SECONDS WARMUP_SECONDS
        Waits for a subscriber, then publishes RATE_HZ * (WARMUP_SECONDS + SECONDS) messages on
        one schedule of absolute deadlines (sleeping until 2 ms before each, then spinning), each
        stamped with the wall clock (time.time_ns()) just before publish; the first
        RATE_HZ * WARMUP_SECONDS have header.frame_id "warmup". Prints "SENT n late_max_ms" for
        the measured messages.
"""
import json
import sys
import threading
import time

import rospy
from sensor_msgs.msg import Image, JointState

JOINTS = ["joint_%d" % i for i in range(1, 7)]
WIDTH, HEIGHT = 640, 480
TYPES = {"joint_state": JointState, "image": Image}


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def receive(specs):
    lock = threading.Lock()
    records = {}

    def make_callback(topic):
        def on_message(msg):
            now = time.time()
            if msg.header.frame_id == "warmup":
                return
            stamp = msg.header.stamp.secs + msg.header.stamp.nsecs * 1e-9
            with lock:
                records[topic].append((msg.header.seq, now - stamp))
        return on_message

    rospy.init_node("mantis_bench_receiver", anonymous=True)
    subs = []
    for spec in specs:
        topic, kind = spec.split("=", 1)
        records[topic] = []
        subs.append(rospy.Subscriber(topic, TYPES[kind], make_callback(topic), queue_size=100000,
                                     buff_size=1 << 24, tcp_nodelay=True))
    print("READY", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "QUIT":
            break
        if words[0] == "STATS" and len(words) == 2:
            topic = words[1]
            with lock:
                got = records.get(topic, [])
                records[topic] = []
            lat_ms = sorted(1000.0 * d for _, d in got)
            seqs = [s for s, _ in got]
            gaps = 0
            for a, b in zip(seqs, seqs[1:]):
                if b > a + 1:
                    gaps += b - a - 1
            out = {"received": len(got), "seq_gaps": gaps,
                   "p50_ms": percentile(lat_ms, 0.50), "p99_ms": percentile(lat_ms, 0.99),
                   "max_ms": lat_ms[-1] if lat_ms else float("nan")}
            print("STATS %s %s" % (topic, json.dumps(out)), flush=True)
    rospy.signal_shutdown("done")


def publish(topic, kind, rate_hz, seconds, warmup_seconds):
    rospy.init_node("mantis_bench_rospy_publisher", anonymous=True)
    n = int(round(rate_hz * seconds))
    warm = int(round(rate_hz * warmup_seconds))
    pub = rospy.Publisher(topic, TYPES[kind], queue_size=max(10, int(rate_hz)),
                          tcp_nodelay=True)
    deadline = time.time() + 30
    while pub.get_num_connections() < 1:
        if time.time() > deadline:
            raise SystemExit("no subscriber on %s within 30 s" % topic)
        time.sleep(0.01)
    time.sleep(0.5)  # let the connection settle before the clock starts
    if kind == "joint_state":
        msg = JointState(name=JOINTS, position=[0.0] * 6, velocity=[0.0] * 6, effort=[])
        frame = "base_link"
    else:
        msg = Image(height=HEIGHT, width=WIDTH, encoding="rgb8", is_bigendian=0, step=WIDTH * 3,
                    data=bytes(bytearray((i * 7) & 0xFF for i in range(WIDTH * HEIGHT * 3))))
        frame = "camera"
    period_ns = int(round(1e9 / rate_hz))
    t0 = time.monotonic_ns() + 1_000_000
    late_max_ns = 0
    for i in range(warm + n):
        due = t0 + i * period_ns
        while True:
            left = due - time.monotonic_ns()
            if left <= 0:
                break
            if left > 2_000_000:
                time.sleep((left - 2_000_000) / 1e9)
        if i >= warm:
            late_max_ns = max(late_max_ns, time.monotonic_ns() - due)
        msg.header.frame_id = frame if i >= warm else "warmup"
        if kind == "joint_state":
            msg.position = [0.001 * i] * 6
        msg.header.seq = i - warm if i >= warm else i
        now = time.time_ns()
        msg.header.stamp = rospy.Time(now // 1_000_000_000, now % 1_000_000_000)
        pub.publish(msg)
    print("SENT %d %.3f" % (n, late_max_ns / 1e6), flush=True)
    time.sleep(1.0)  # rospy writes from its own thread: let the queue drain before exiting


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "receive":
        receive(sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == "publish":
        publish(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]),
                float(sys.argv[6]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
