/**
 * The values of a connection, shared by the connector definition, its authorization and the runtime.
 * Type-only.
 *
 * @module
 */

/** The values of a connection: its fields, plus whatever authorization acquired (tokens). */
export type ConnectionValues = Record<string, unknown>;
