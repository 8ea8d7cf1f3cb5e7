/** The Mantis server and command line. */
package mantis.server;
