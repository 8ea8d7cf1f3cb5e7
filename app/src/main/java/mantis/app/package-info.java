/**
 * The {@code mantis} command line (picocli): {@code serve}, {@code sim}, {@code demo}, {@code expert},
 * {@code eval} (closed-loop evaluation of several policies) and {@code bench}. The only place that prints
 * to the console; everything else logs through SLF4J.
 */
package mantis.app;
