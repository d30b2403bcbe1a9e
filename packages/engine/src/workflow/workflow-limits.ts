/**
 * The bounds that keep checking a hostile workflow document cheap and its answer short: how many
 * problems are listed, how deep lists and objects may nest, and how many YAML aliases it may use.
 * Validation is linear in the size of the document; the request body limit bounds that size.
 *
 * @internal
 * @module
 */

/** The limits of workflow validation. */
export const WORKFLOW_LIMITS = Object.freeze({
  /**
   * Problems listed at most, the first ones in document order; one more problem then counts the rest
   * (`omitted` says how many).
   * @default 100
   */
  maxProblems: 100,
  /**
   * How deep lists and objects may nest, the document itself being level 1. Deeper documents are
   * refused before anything walks them recursively.
   * @default 100
   */
  maxDepth: 100,
  /**
   * YAML aliases (`*name`) at most, counted twice over: the aliases written in the document, and
   * their expansions (the `yaml` library's `maxAliasCount`: an alias of a collection counts once for
   * each alias inside it, so a "billion laughs" document is refused before it grows).
   * @default 1000
   */
  maxAliases: 1000,
});
