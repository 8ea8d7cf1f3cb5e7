"""Forward kinematics with Orocos KDL (Debian python3-pykdl) for KdlCrossCheckTest.

Independent of the Java reader: parses the URDF itself with xml.etree and builds the KDL chain
the way kdl_parser does (one segment per URDF joint on the path from base to tool; the joint axis
is taken into the parent frame through the joint origin, rpy through KDL's Rotation.RPY).

Reads JSON from stdin: {"chains": [{"urdf": path, "base": link, "tool": link,
"configs": [[q...]]}]}. Writes {"poses": [[[R row-major (9), p (3)] per config] per chain]}.
"""
import json
import sys
import xml.etree.ElementTree as ET

import PyKDL as kdl


def nums(element, attribute, default):
    if element is None or element.get(attribute) is None:
        return default
    return [float(v) for v in element.get(attribute).split()]


def build(path, base, tool):
    root = ET.parse(path).getroot()
    by_child = {j.find("child").get("link"): j for j in root.findall("joint")}
    joints = []
    link = tool
    while link != base:
        j = by_child[link]
        joints.append(j)
        link = j.find("parent").get("link")
    joints.reverse()
    chain = kdl.Chain()
    for j in joints:
        origin = j.find("origin")
        xyz = nums(origin, "xyz", [0.0, 0.0, 0.0])
        rpy = nums(origin, "rpy", [0.0, 0.0, 0.0])
        f = kdl.Frame(kdl.Rotation.RPY(*rpy), kdl.Vector(*xyz))
        kind = j.get("type")
        if kind == "fixed":
            joint = kdl.Joint(j.get("name"), kdl.Joint.Fixed)
        else:
            axis = kdl.Vector(*nums(j.find("axis"), "xyz", [1.0, 0.0, 0.0]))
            axis.Normalize()
            typ = kdl.Joint.TransAxis if kind == "prismatic" else kdl.Joint.RotAxis
            joint = kdl.Joint(j.get("name"), f.p, f.M * axis, typ)
        chain.addSegment(kdl.Segment(j.get("name"), joint, f))
    return chain


def main():
    data = json.load(sys.stdin)
    out = []
    for spec in data["chains"]:
        chain = build(spec["urdf"], spec["base"], spec["tool"])
        solver = kdl.ChainFkSolverPos_recursive(chain)
        poses = []
        for q in spec["configs"]:
            if len(q) != chain.getNrOfJoints():
                raise SystemExit("expected %d joints, got %d" % (chain.getNrOfJoints(), len(q)))
            arr = kdl.JntArray(len(q))
            for i, v in enumerate(q):
                arr[i] = v
            f = kdl.Frame()
            if solver.JntToCart(arr, f) < 0:
                raise SystemExit("KDL FK failed")
            m = f.M
            poses.append([m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2],
                          m[2, 0], m[2, 1], m[2, 2], f.p[0], f.p[1], f.p[2]])
        out.append(poses)
    json.dump({"poses": out}, sys.stdout)


if __name__ == "__main__":
    main()
