/**
 * Trace-of-Mark (ToM) labels from video, Magma's recipe with OpenCV instead of a learned tracker:
 * {@link mantis.marks.tom.TraceExtractor} tracks a grid of points through a clip with pyramidal
 * Lucas–Kanade, drops points that fail a forward–backward check, removes camera motion with a
 * RANSAC homography to the first frame, splits the tracks into moving and static by displacement
 * and keeps one point per k-means cluster as a numbered mark ({@link mantis.marks.tom.TomLabels}).
 * No OpenCV type appears in a public signature; every native buffer is released before a call
 * returns.
 */
package mantis.marks.tom;
