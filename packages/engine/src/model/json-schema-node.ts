/**
 * The shape of a JSON Schema (draft-07) node as the workflow schema builds it. Besides the standard
 * keywords, nodes may carry `errorMessage` and `patternErrorMessage` (read by the VS Code YAML extension
 * and by the validator, so that editors and `sluice validate` word a problem the same way) and
 * `defaultSnippets` (editor completion snippets).
 *
 * @module
 */

/** One JSON Schema node: keywords to values. */
export interface JsonSchemaNode {
  [keyword: string]: unknown;
}

/** The non-standard keywords the schema uses; the validator registers them with Ajv as annotations. */
export const EDITOR_KEYWORDS = ['errorMessage', 'patternErrorMessage', 'defaultSnippets'] as const;
