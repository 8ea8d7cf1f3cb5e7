/**
 * The Mantis policy (Magma's Set-of-Mark / Trace-of-Mark with LAPA's latent action pretraining):
 * the network, its training ({@link mantis.model.policy.PolicyLearner}) and the served model
 * ({@link mantis.model.policy.MantisPolicyModel}). No engine type appears in a public signature.
 */
package mantis.model.policy;
