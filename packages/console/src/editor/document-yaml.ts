/** A stored workflow as the YAML a person edits: without the fields the store sets. */
import type { WorkflowView } from '@sluice/engine/api-types';
import { stringify } from 'yaml';

/** The fields the store sets: never part of the text a user edits. */
const STORED = ['uid', 'version', 'workspace_id', 'user_id', 'created', 'updated', 'deleted', 'last_run'];

export function documentYaml(workflow: WorkflowView): string {
  const document: Record<string, unknown> = { ...workflow };
  for (const field of STORED) delete document[field];
  return stringify(document, { lineWidth: 0 });
}
