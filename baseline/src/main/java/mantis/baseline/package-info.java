/** Visual-servo baseline policy. */
package mantis.baseline;
