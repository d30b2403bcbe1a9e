/**
 * `paginate` on an HTTP step: the step's call repeated page after page until `paginate.next` renders
 * empty, each page its own call (own idempotency key, own retry budget) whose attempts are recorded
 * with their page index. What this module holds: the field's schema and checks, what a page gives
 * (`next` and `items`, rendered together), and the progress an unfinished item commits between pages
 * (the item's output while it runs), so a resumed run goes on at the page it was on.
 *
 * @module
 */
import type { JsonSchemaNode } from '../../model/json-schema-node.js';
import { shown } from '../../model/shown.js';
import type { StepProblem } from '../step-kind.js';

/** The `paginate` block of an HTTP step. */
export interface Paginate {
  /** Rendered after each page: the next page's cursor, page number or URL; empty, null or false ends. */
  next: string;
  /** Rendered after each page: the page's items (a list). @default the response body */
  items?: string;
  /** At most this many pages; a next page beyond it fails the item. @default 100 */
  max_pages?: number;
}

/** Pages fetched when `max_pages` is not set. */
export const DEFAULT_MAX_PAGES = 100;
/** The highest `max_pages` accepted: every page is a committed write. */
export const MAX_PAGES_LIMIT = 10_000;

/** What the items of a page are when `paginate.items` is not set. */
export const DEFAULT_PAGE_ITEMS = '{{ CURRENT_STEP.response.body }}';

/** The schema of `paginate`. */
export function paginateSchema(): JsonSchemaNode {
  return {
    description:
      "Repeats the step's call page after page. After each page `next` and `items` are rendered " +
      "(`CURRENT_STEP.response` is the page's response); the next call sees `CURRENT_STEP.page` as " +
      "`{index, next}`. It stops when `next` renders empty, null or false. The output is every page's " +
      'items, in order. Each page is committed before the next one, so a resumed run goes on at the ' +
      'page it was on. Only with `apispec`.',
    type: 'object',
    additionalProperties: false,
    required: ['next'],
    errorMessage: 'must be an object with next (and optionally items and max_pages)',
    properties: {
      next: {
        description:
          "A template rendered after each page: the next page's cursor, number or URL, read in the " +
          'next call as `CURRENT_STEP.page.next`. Empty, null or false: that was the last page.',
        type: 'string',
        minLength: 1,
        examples: ['{{ CURRENT_STEP.response.body.next_page }}'],
        errorMessage: 'must be a template string, e.g. "{{ CURRENT_STEP.response.body.next_page }}"',
      },
      items: {
        description:
          "A template rendered after each page: the page's items, a list (null counts as none). The " +
          "output of the step is all pages' items, in order. Default: the response body.",
        type: 'string',
        minLength: 1,
        default: DEFAULT_PAGE_ITEMS,
        examples: ['{{ CURRENT_STEP.response.body.items }}'],
        errorMessage: 'must be a template string, e.g. "{{ CURRENT_STEP.response.body.items }}"',
      },
      max_pages: {
        description: `At most this many pages (default ${DEFAULT_MAX_PAGES}). A next page beyond it fails the call (with \`on_error: continue\`, the step goes on with null).`,
        type: 'integer',
        minimum: 1,
        maximum: MAX_PAGES_LIMIT,
        default: DEFAULT_MAX_PAGES,
        examples: [50],
        errorMessage: `must be an integer from 1 to ${MAX_PAGES_LIMIT}`,
      },
    },
  };
}

/** `output` cannot say what a paginated step gives: `paginate.items` does, page by page. */
export function paginateProblems(step: Readonly<Record<string, unknown>>): StepProblem[] {
  if (step.paginate === undefined || step.output === undefined) return [];
  return [
    {
      path: ['output'],
      message:
        "cannot be used with paginate: paginate.items says what each page gives, and the output is every page's items",
    },
  ];
}

/**
 * Where a paginated item is between pages: what it commits as its output while it runs, and reads back
 * when the run resumes. `pages` pages are done; `next` is what the last of them rendered.
 */
export interface PageProgress {
  pages: number;
  next: unknown;
  items: unknown[];
}

/** The progress a resumed item committed, when `value` is one; else a fresh start. */
export function pageProgressOf(value: unknown): PageProgress {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { pages, next, items } = value as Partial<PageProgress>;
    if (typeof pages === 'number' && Number.isInteger(pages) && pages >= 0 && Array.isArray(items)) {
      return { pages, next: next ?? null, items: [...items] };
    }
  }
  return { pages: 0, next: null, items: [] };
}

/** Whether `next` ends the pages: empty, null or false (0 is a page number, so it goes on). */
export function isLastPage(next: unknown): boolean {
  if (next === null || next === undefined || next === false || next === '') return true;
  if (Array.isArray(next)) return next.length === 0;
  return typeof next === 'object' && Object.keys(next).length === 0;
}

/** What one page gave, or why it cannot be used. */
export type PageResult = { items: unknown[]; next: unknown } | { problem: string };

/**
 * Reads what `paginate.next` and `paginate.items` rendered for page `index` (`previousNext` is what the
 * page before rendered as `next`).
 */
export function readPage(
  rendered: { next?: unknown; items?: unknown },
  index: number,
  previousNext: unknown,
): PageResult {
  const items = rendered.items ?? null;
  if (items !== null && !Array.isArray(items)) {
    return { problem: `paginate.items must render a list; page ${index} rendered ${shown(items)}` };
  }
  const next = rendered.next ?? null;
  if (!isLastPage(next) && index > 0 && sameValue(next, previousNext)) {
    return {
      problem:
        `paginate.next rendered ${shown(next)} again on page ${index}: the next call would fetch the ` +
        'same page; make next depend on the response (a cursor, or CURRENT_STEP.page.index)',
    };
  }
  return { items: items ?? [], next };
}

/** The message of an item that still had a next page after `maxPages` pages. */
export function tooManyPages(maxPages: number, next: unknown): string {
  return (
    `paginate: page ${maxPages - 1} still gives a next page (${shown(next)}) after max_pages (${maxPages}) ` +
    'pages; raise paginate.max_pages or narrow the request'
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));
}
