/**
 * The message for an unknown key: a did-you-mean when a known key is close (a typo, another casing,
 * a common synonym), or where the key belongs when it sits one level too high.
 *
 * @internal
 * @module
 */

/** Keys that belong inside `apispec` when they are written on the step itself. */
const APISPEC_KEYS = new Set(['url', 'method', 'params', 'headers', 'data', 'json_body', 'timeout']);

/** Common names for a known key, from other tools (the seed format's `flow`, requests' `json`, ...). */
const SYNONYMS: Readonly<Record<string, string>> = {
  flow: 'steps',
  id: 'uid',
  body: 'json_body',
  json: 'json_body',
  query: 'params',
  verb: 'method',
  retries: 'retry',
  max_retries: 'total',
  backoff: 'backoff_factor',
  retry_on_status: 'status_forcelist',
  methods: 'allowed_methods',
};

/**
 * `unknown key; did you mean "json_body"?`, `unknown key: url belongs inside apispec`, or
 * `unknown key; expected one of: a, b`. `known` lists the keys accepted where `key` sits.
 */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  if (known.includes('apispec') && APISPEC_KEYS.has(key)) {
    return `unknown key: ${key} belongs inside apispec`;
  }
  if (key === 'retry' && known.includes('default_retry')) {
    return 'unknown key; did you mean "default_retry"? (retry settings for every step go in default_retry)';
  }
  const suggestion = suggest(key, known);
  if (suggestion !== undefined) return `unknown key; did you mean "${suggestion}"?`;
  return `unknown key; expected one of: ${prepared(known).listed}`;
}

/** The known key closest to `key`, when it is close enough to be what was meant. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  const normal = normalize(key);
  const { normalized } = prepared(known);
  const same = known.find((_k, i) => normalized[i] === normal);
  if (same !== undefined) return same;
  const synonym = SYNONYMS[normal] ?? SYNONYMS[key.toLowerCase()];
  if (synonym !== undefined && known.includes(synonym)) return synonym;
  const limit = normal.length <= 4 ? 1 : normal.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const [i, candidate] of known.entries()) {
    const other = normalized[i] as string;
    // The distance is at least the difference in length: a long key costs nothing to rule out.
    if (Math.abs(other.length - normal.length) >= bestDistance) continue;
    const d = distance(normal, other);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** How much edit-distance work the lookups of one {@link createSuggester} may do together, in cells. */
const SUGGESTER_BUDGET = 4_000_000;

/**
 * {@link suggest} for many lookups in one list of names (step names, filters, `SYSTEM_APIS` keys): same
 * answers, each name looked up once, the same name in another casing found through an index, and the
 * edit-distance work of all lookups together capped (past it a lookup finds no suggestion). So a hostile
 * document with many unknown names over many known ones costs a bounded time.
 */
export function createSuggester(
  known: readonly string[],
  budget = SUGGESTER_BUDGET,
): (name: string) => string | undefined {
  const byNormal = new Map<string, string>();
  for (const name of known) if (!byNormal.has(normalize(name))) byNormal.set(normalize(name), name);
  const entries = [...byNormal];
  const answers = new Map<string, string | undefined>();
  let left = budget;
  return (name) => {
    if (answers.has(name)) return answers.get(name);
    const normal = normalize(name);
    let best = byNormal.get(normal);
    if (best === undefined) {
      const limit = normal.length <= 4 ? 1 : normal.length <= 8 ? 2 : 3;
      let bestDistance = limit + 1;
      for (const [other, candidate] of entries) {
        if (Math.abs(other.length - normal.length) >= bestDistance) continue;
        left -= (normal.length + 1) * (other.length + 1);
        if (left < 0) break;
        const d = distance(normal, other);
        // `x` is one edit from `a`, but that is no typo.
        if (d < bestDistance && d < normal.length) {
          best = candidate;
          bestDistance = d;
        }
      }
    }
    answers.set(name, best);
    return best;
  };
}

/** What is worked out once per list of known keys (a document with 50,000 unknown keys asks 50,000 times). */
interface Prepared {
  normalized: string[];
  /** `a, b, c`, for the message. */
  listed: string;
}

const PREPARED = new WeakMap<readonly string[], Prepared>();

function prepared(known: readonly string[]): Prepared {
  let out = PREPARED.get(known);
  if (out === undefined) {
    out = { normalized: known.map(normalize), listed: known.filter((k) => k !== '$schema').join(', ') };
    PREPARED.set(known, out);
  }
  return out;
}

/** Lower case, without `_`, `-` and spaces: `jsonBody`, `json-body` and `JSON_BODY` are all `jsonbody`. */
function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/** Edit distance with adjacent transpositions (optimal string alignment). */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
