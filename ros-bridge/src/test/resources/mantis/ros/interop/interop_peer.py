#!/usr/bin/env python3
"""rospy side of the Mantis interop tests (written to a temp dir and run by the Java tests).

    interop_peer.py SPEC.json

SPEC.json: {"publish": [{"topic", "type", "msg"}], "subscribe": [{"topic", "type"}]}
where "msg" is a message in canonical JSON form (below). The peer publishes each "publish"
message once, latched, so a subscriber that connects later still gets it, and prints one line
    RECEIVED {"topic": ..., "type": ..., "msg": <canonical form>}
for every message it receives on a "subscribe" topic. It prints READY once every publisher and
subscriber exists, then spins until it is terminated.

Canonical form: a JSON object with the ROS field names; time and duration as
{"secs", "nsecs"}; uint8[] and char[] as lowercase hex strings; other arrays as JSON arrays;
float64 as JSON numbers (NaN and Infinity as the bare words Python's json module uses).
"""
import json
import sys

import genpy
import rospy
from roslib.message import get_message_class

BYTE_TYPES = ("uint8", "char")
FLOAT_TYPES = ("float32", "float64")
INT_TYPES = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
             "byte", "char")


def message_class(type_name):
    cls = get_message_class(type_name)
    if cls is None:
        raise SystemExit("unknown message type %s (is its python3-*-msgs package installed?)"
                         % type_name)
    return cls


def split_array(field_type):
    """'float64[9]' -> ('float64', True); 'string' -> ('string', False)."""
    if field_type.endswith("]"):
        return field_type[:field_type.index("[")], True
    return field_type, False


def build(type_name, value):
    """A rospy message of type_name from its canonical form."""
    cls = message_class(type_name)
    msg = cls()
    missing = set(cls.__slots__) - set(value)
    extra = set(value) - set(cls.__slots__)
    if missing or extra:
        raise SystemExit("%s: canonical form lacks %s, has extra %s"
                         % (type_name, sorted(missing), sorted(extra)))
    for name, field_type in zip(cls.__slots__, cls._slot_types):
        setattr(msg, name, build_field(field_type, value[name]))
    return msg


def build_field(field_type, value):
    base, is_array = split_array(field_type)
    if is_array:
        if base in BYTE_TYPES:
            return bytes.fromhex(value)
        return [build_field(base, v) for v in value]
    if base == "time":
        return genpy.Time(value["secs"], value["nsecs"])
    if base == "duration":
        return genpy.Duration(value["secs"], value["nsecs"])
    if base == "bool":
        return bool(value)
    if base == "string":
        return value
    if base in FLOAT_TYPES:
        return float(value)
    if base in INT_TYPES:
        return int(value)
    return build(base, value)


def canonical(msg):
    """The canonical form of a rospy message."""
    out = {}
    for name, field_type in zip(msg.__slots__, msg._slot_types):
        out[name] = canonical_field(field_type, getattr(msg, name))
    return out


def canonical_field(field_type, value):
    base, is_array = split_array(field_type)
    if is_array:
        if base in BYTE_TYPES:
            return bytes(bytearray(value)).hex()
        return [canonical_field(base, v) for v in value]
    if base in ("time", "duration"):
        return {"secs": value.secs, "nsecs": value.nsecs}
    if base == "bool":
        return bool(value)
    if base == "string":
        return value
    if base in FLOAT_TYPES:
        return float(value)
    if base in INT_TYPES:
        return int(value)
    return canonical(value)


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: interop_peer.py SPEC.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    rospy.init_node("mantis_interop_peer", anonymous=True, disable_signals=False)
    keep = []
    for sub in spec.get("subscribe", []):
        def on_message(msg, topic=sub["topic"], type_name=sub["type"]):
            line = json.dumps({"topic": topic, "type": type_name, "msg": canonical(msg)},
                              ensure_ascii=True, sort_keys=True)
            sys.stdout.write("RECEIVED " + line + "\n")
            sys.stdout.flush()
        keep.append(rospy.Subscriber(sub["topic"], message_class(sub["type"]), on_message,
                                     queue_size=100, tcp_nodelay=True))
    for pub in spec.get("publish", []):
        p = rospy.Publisher(pub["topic"], message_class(pub["type"]), queue_size=10, latch=True)
        p.publish(build(pub["type"], pub["msg"]))
        keep.append(p)
    print("READY", flush=True)
    rospy.spin()


if __name__ == "__main__":
    main()
