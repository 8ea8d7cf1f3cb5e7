/**
 * Model bundles: a directory holding {@code model-card.json} ({@link
 * mantis.model.bundle.ModelCard}) and the files it lists, each checked by SHA-256 when the bundle
 * is opened ({@link mantis.model.bundle.ModelBundle}).
 */
package mantis.model.bundle;
