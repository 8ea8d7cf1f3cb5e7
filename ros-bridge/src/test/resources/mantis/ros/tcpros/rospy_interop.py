"""Interop peer for TcprosRospyInteropTest (not a unit test).

Usage: rospy_interop.py MASTER_URI JAVA_TCPROS_PORT

Plays the slave API of a node "/mantis" that publishes /mantis_out (std_msgs/String) over the
Java TCPROS server on JAVA_TCPROS_PORT, subscribes to /mantis_out with rospy and prints each
message as "GOT <data>", publishes "from rospy" latched on /rospy_out and prints the address of
its TCPROS server as "TCPROS <host> <port>". Runs until stdin closes.
"""
import os
import sys
import threading
from xmlrpc.client import ServerProxy
from xmlrpc.server import SimpleXMLRPCServer

master_uri, java_port = sys.argv[1], int(sys.argv[2])
os.environ["ROS_MASTER_URI"] = master_uri

import rospy  # noqa: E402
from std_msgs.msg import String  # noqa: E402


class FakeSlave:
    def requestTopic(self, caller_id, topic, protocols):
        return [1, "ok", ["TCPROS", "127.0.0.1", java_port]]

    def getPid(self, caller_id):
        return [1, "ok", os.getpid()]


slave = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
slave.register_instance(FakeSlave())
threading.Thread(target=slave.serve_forever, daemon=True).start()
slave_uri = "http://127.0.0.1:%d/" % slave.server_address[1]
master = ServerProxy(master_uri)
code, msg, _ = master.registerPublisher("/mantis", "/mantis_out", "std_msgs/String", slave_uri)
assert code == 1, msg

rospy.init_node("interop", disable_signals=True)


def on_message(m):
    print("GOT " + m.data, flush=True)


rospy.Subscriber("/mantis_out", String, on_message, tcp_nodelay=True)
pub = rospy.Publisher("/rospy_out", String, queue_size=10, latch=True)
pub.publish(String(data="from rospy"))
code, msg, proto = ServerProxy(rospy.get_node_uri()).requestTopic(
    "/mantis", "/rospy_out", [["TCPROS"]])
assert code == 1, msg
print("TCPROS %s %d" % (proto[1], proto[2]), flush=True)
sys.stdin.read()
master.unregisterPublisher("/mantis", "/mantis_out", slave_uri)
rospy.signal_shutdown("done")
