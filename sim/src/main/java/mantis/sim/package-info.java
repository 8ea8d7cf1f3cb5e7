/** Tabletop simulator. */
package mantis.sim;
