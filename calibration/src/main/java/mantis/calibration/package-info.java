/** Camera model and arm kinematics. */
package mantis.calibration;
