/**
 * Set-of-Mark (SoM) marks and Trace-of-Mark (ToM) traces, computed with OpenCV. No OpenCV type
 * appears in a public signature; every native buffer is released before a call returns.
 */
package mantis.marks;
