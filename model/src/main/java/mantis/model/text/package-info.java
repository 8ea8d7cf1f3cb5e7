/**
 * Instruction text for the policy: a word-level {@link mantis.model.text.Vocabulary} built from the
 * training instructions, with reserved padding and unknown-word tokens.
 */
package mantis.model.text;
