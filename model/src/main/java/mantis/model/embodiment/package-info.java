/**
 * The embodiment-neutral action path: a policy trained on one arm drives another through the image.
 * {@link mantis.model.embodiment.EmbodimentAdapter} shows the policy the other arm's tool as the
 * training arm's equivalent joints, and turns the policy's planned effector trace (Trace-of-Mark,
 * in pixels) into the other arm's joint targets through the calibrated camera and that arm's
 * inverse kinematics. See {@code docs/EMBODIMENT.md}.
 */
package mantis.model.embodiment;
