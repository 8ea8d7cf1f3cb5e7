/**
 * The Mantis policy model (issue 5). So far: the instruction vocabulary ({@link mantis.model.text})
 * and the model bundle format ({@link mantis.model.bundle}); the network, training and serving come
 * next.
 */
package mantis.model;
