/**
 * What `GET /v1/runs/{id}/attempts` answers (issue 15): one line per HTTP request of each attempt, the
 * request and response as recorded (redacted, bodies cut), or `pruned: true` when they are not kept.
 * Type-only for clients (`@sluice/engine/api-types`) beside the function that builds the lines.
 *
 * @internal
 * @module
 */
import type { RecordedRequest, RecordedResponse } from '../store/runs/http-exchange.js';
import type { AttemptEntry, StepItemRow } from '../store/store.js';

/** One HTTP request of an attempt, as `GET /v1/runs/{id}/attempts` lists it. */
export interface AttemptView {
  step: string;
  step_index: number;
  item_index: number;
  /** The item's attempt, from 1 (retries and redirect hops each are one). */
  attempt: number;
  /** The request of the attempt, from 1: a connector action's attempt may send several. */
  exchange?: number;
  /** The page, on a step with `paginate`. */
  page?: number;
  started_at: string;
  duration_ms: number;
  /** The wait before the attempt (0 for the first, and for a connector's requests after the first). */
  wait_ms: number;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** The error class, when none did: connect, read, timeout, other. */
  error?: string;
  request?: RecordedRequest;
  response?: RecordedResponse;
  /** The request and response are not kept (past the workspace's retention, or retention 0). */
  pruned?: true;
}

/** What `GET /v1/runs/{id}/attempts` answers. */
export interface AttemptsView {
  run_id: string;
  attempts: AttemptView[];
}

/** The attempts of one item, one line per HTTP request. */
export function attemptViews(step: string, row: StepItemRow): AttemptView[] {
  return row.history.flatMap((entry, index): AttemptView[] => {
    const base = attemptBase(step, row, entry, index);
    const exchanges = entry.exchanges;
    if (exchanges === undefined) return [{ ...base, pruned: true }];
    if (exchanges.length === 0) return [base];
    return exchanges.map((exchange, at) => {
      const { status: _status, error: _error, ...rest } = base;
      return {
        ...rest,
        exchange: at + 1,
        started_at: exchange.started_at,
        duration_ms: exchange.duration_ms,
        wait_ms: at === 0 ? entry.wait_ms : 0,
        ...(exchange.response === undefined ? {} : { status: exchange.response.status }),
        ...(exchange.error === undefined ? {} : { error: exchange.error }),
        request: exchange.request,
        ...(exchange.response === undefined ? {} : { response: exchange.response }),
      };
    });
  });
}

function attemptBase(step: string, row: StepItemRow, entry: AttemptEntry, index: number): AttemptView {
  return {
    step,
    step_index: row.step_index,
    item_index: row.item_index,
    attempt: index + 1,
    ...(entry.page === undefined ? {} : { page: entry.page }),
    started_at: entry.started_at,
    duration_ms: entry.duration_ms,
    wait_ms: entry.wait_ms,
    ...(entry.status === undefined ? {} : { status: entry.status }),
    ...(entry.error === undefined ? {} : { error: entry.error }),
  };
}
