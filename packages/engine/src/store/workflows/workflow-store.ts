/**
 * The workflows domain: published workflows, every version kept (`workflows`, key `uid` + `version`).
 * `workflow-queries.ts` implements it.
 *
 * @module
 */
import type { Workflow, WorkflowScope } from '../../model/workflow.js';

/** One stored version of a published workflow. */
export interface StoredWorkflow {
  uid: string;
  version: number;
  workspace_id: string;
  scope: WorkflowScope;
  /** The email of who published this version. */
  user_id: string;
  name: string;
  /** The document of this version, without the stored fields. */
  document: Workflow;
  /** When version 1 was published. */
  created: string;
  /** When this version was published (or the workflow deleted). */
  updated: string;
  deleted: boolean;
}

/** What {@link WorkflowStore.publish} writes. */
export interface PublishWorkflow {
  uid: string;
  workspace_id: string;
  user_id: string;
  document: Workflow;
  /** The caller's time, ISO. */
  at: string;
  /**
   * `0` to create the workflow (fails when the uid exists), a version number to require that it is the
   * latest (optimistic concurrency), or `undefined` to publish over whatever is latest.
   */
  expectedVersion?: number | undefined;
}

/** Where a page of workflows starts: after this (`name`, `uid`), in that order. */
export interface WorkflowCursor {
  name: string;
  uid: string;
}

/** A page of {@link WorkflowStore.list}. */
export interface ListWorkflowsPage {
  /** At most this many workflows. */
  limit: number;
  after?: WorkflowCursor | undefined;
}

/** The `workflows` table. */
export interface WorkflowStore {
  /**
   * Publishes a new version (1 for a new uid, else the latest + 1) and returns it.
   *
   * @throws {EngineError} `SLUICE_WORKFLOW_CONFLICT` when `expectedVersion` is not the latest version
   * (0: when the uid exists), or another publish of the same version won the race.
   */
  publish(publish: PublishWorkflow): Promise<StoredWorkflow>;
  /** The latest version (deleted or not), or the given one. */
  get(uid: string, version?: number): Promise<StoredWorkflow | undefined>;
  /**
   * The latest version of each workflow of `workspaceId` and of each global one, not deleted, by name
   * then uid; all of them, or the page `page` names.
   */
  list(workspaceId: string, page?: ListWorkflowsPage): Promise<StoredWorkflow[]>;
  /** Every version of workflow `uid` (deleted or not), newest first; none for an unknown uid. */
  listVersions(uid: string): Promise<StoredWorkflow[]>;
  /** Marks every version deleted; resolves whether the workflow existed and was not deleted yet. */
  delete(uid: string, at: string): Promise<boolean>;
}
