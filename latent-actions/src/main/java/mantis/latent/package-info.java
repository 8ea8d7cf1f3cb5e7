/**
 * The LAPA latent action model: an encoder of (frame t, frame t+H), a vector-quantised bottleneck
 * that turns the change into a few discrete tokens, and a decoder that rebuilds frame t+H from
 * frame t and the tokens. DJL types stay inside this module.
 */
package mantis.latent;
