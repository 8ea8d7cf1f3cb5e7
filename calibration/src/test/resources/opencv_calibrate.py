"""OpenCV's own chessboard calibration recipe, for RealPhotosCrossCheckTest.

Reads {"images": [...], "cols": N, "rows": N, "square_m": S} as JSON on stdin; runs the plain
cv2.findChessboardCorners / cv2.cornerSubPix / cv2.calibrateCamera recipe of OpenCV's calibration
tutorial; prints {"version", "fx", "fy", "cx", "cy", "dist", "rms", "used"} as JSON on stdout.
"""
import json
import sys

import cv2
import numpy as np

req = json.load(sys.stdin)
cols, rows, square = req["cols"], req["rows"], req["square_m"]
pattern = np.zeros((cols * rows, 3), np.float32)
pattern[:, :2] = np.mgrid[0:cols, 0:rows].T.reshape(-1, 2) * square
criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.001)
object_points, image_points, used = [], [], []
size = None
for path in req["images"]:
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if gray is None:
        continue
    size = gray.shape[::-1]
    found, corners = cv2.findChessboardCorners(gray, (cols, rows), None)
    if not found:
        continue
    corners = cv2.cornerSubPix(gray, corners, (11, 11), (-1, -1), criteria)
    object_points.append(pattern)
    image_points.append(corners)
    used.append(path)
rms, k, dist, _, _ = cv2.calibrateCamera(object_points, image_points, size, None, None)
json.dump(
    {
        "version": cv2.__version__,
        "fx": k[0, 0],
        "fy": k[1, 1],
        "cx": k[0, 2],
        "cy": k[1, 2],
        "dist": [float(d) for d in dist.ravel()],
        "rms": rms,
        "used": used,
    },
    sys.stdout,
)
