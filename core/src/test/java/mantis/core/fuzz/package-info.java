/** Helpers for the fuzz tests of the modules that serve RPCs (docs/FUZZING.md). */
package mantis.core.fuzz;
