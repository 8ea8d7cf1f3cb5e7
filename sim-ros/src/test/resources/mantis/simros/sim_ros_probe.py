#!/usr/bin/env python3
"""rospy probe for the sim-on-ROS test: prints one line per message it receives.

    IMAGE <seq> <width> <height> <encoding> <step> <len(data)> <mean byte>
    JOINTS {"name": [...], "position": [...]}
    INSTRUCTION <text>
"""
import json

import rospy
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import String


def on_image(m):
    data = bytearray(m.data)
    mean = sum(data[::97]) / max(1, len(data[::97]))
    print("IMAGE %d %d %d %s %d %d %.1f" % (m.header.seq, m.width, m.height, m.encoding, m.step,
                                             len(data), mean), flush=True)


def on_joints(m):
    print("JOINTS " + json.dumps({"name": list(m.name), "position": list(m.position)}),
          flush=True)


def on_instruction(m):
    print("INSTRUCTION " + m.data, flush=True)


rospy.init_node("sim_ros_probe", anonymous=True)
rospy.Subscriber("/camera/image_raw", Image, on_image, queue_size=10, buff_size=1 << 24,
                 tcp_nodelay=True)
rospy.Subscriber("/joint_states", JointState, on_joints, queue_size=100, tcp_nodelay=True)
rospy.Subscriber("/mantis/instruction", String, on_instruction, queue_size=10)
print("READY", flush=True)
rospy.spin()
