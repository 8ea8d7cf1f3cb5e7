/** Offline evaluations of the server's stages against simulator ground truth. */
package mantis.server.eval;
