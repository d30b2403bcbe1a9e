/**
 * Redaction of secrets in what the engine stores and logs (DESIGN §4, STYLE §7): secret values
 * (`USER.token`, connection values, configured ones) are replaced wherever they occur in a string, in
 * any spelling a URL or a JSON text gives them (`secret-pattern.ts`); the credentials the engine issues
 * (run tokens, API keys) are replaced by their shape; values under secret-looking keys (`Authorization`, `Cookie`, and the
 * configured secret names) are replaced entirely, at any depth.
 *
 * @module
 */
import { secretPattern, withoutIssuedCredentials } from './secret-pattern.js';

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/** Keys whose values are always redacted, whatever the configuration (case-insensitive). */
export const ALWAYS_SECRET_KEYS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /** Secret values, replaced wherever they occur in strings. Empty strings are ignored. */
  values?: readonly string[];
  /**
   * Key names (case-insensitive) whose values are secret: replaced entirely in objects, and
   * collected as secret values wherever they hold a string. @default []
   */
  names?: readonly string[];
}

/** Replaces secrets in strings and in JSON-like values. Never mutates its input. */
export interface Redactor {
  /** A string with every secret value replaced. */
  text(value: string): string;
  /**
   * The value with secrets replaced in strings and under secret keys, however deep. Never mutates:
   * objects and arrays that hold a secret are copied; a value without any secret is returned as it is.
   */
  value<T>(value: T): T;
  /**
   * Whether `value` holds nothing this redactor hides: {@link value} would return it as it is, and
   * {@link secretValuesIn} with this redactor's names would find nothing in it. `false` when a secret key
   * holds anything but `null` or `undefined`, a string holds a secret value or a credential, or an object
   * is met again on its own path (a cycle); `false` may also mean "perhaps" (an index-like secret name).
   * One walk that neither copies nor remembers the objects it saw: several times faster than those two
   * walks on a large value without secrets (most inputs), which is then used as it is.
   */
  holdsNoSecret(value: unknown): boolean;
  /**
   * The start of `value` (text, or UTF-8 bytes) redacted, then cut to at most `maxBytes` UTF-8 bytes.
   * Redaction sees enough beyond the cut that no secret straddling it leaves a piece behind.
   */
  excerpt(value: string | Uint8Array, maxBytes: number): string;
  /** A redactor that also hides `values` (tokens found later, e.g. in a step's output). */
  with(values: readonly string[]): Redactor;
  /** Whether a key's value is secret. */
  isSecretKey(key: string): boolean;
}

/**
 * Builds a {@link Redactor}.
 *
 * @example
 * const redact = createRedactor({ values: [user.token], names: ['api_token'] });
 * redact.text(`https://api/x?api_token=${token}`); // 'https://api/x?api_token=[redacted]'
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  return redactorOf(redactedNames(options.names ?? []), [
    ...new Set((options.values ?? []).filter((v) => typeof v === 'string' && v !== '')),
  ]);
}

/** Redactors by name set, then by secret values: the runs of a workspace share one (issue 14). */
const REDACTORS = new WeakMap<ReadonlySet<string>, Map<string, Redactor>>();
const REDACTORS_KEPT = 64;

/**
 * The redactor of `names` and `values`, made or from the cache. An issued credential (a run's token)
 * is left out of the key and the redactor: its shape is redacted whatever the list (`secret-pattern.ts`),
 * so runs whose lists differ only in their tokens share a redactor, which holds no state of its own.
 */
function redactorOf(names: ReadonlySet<string>, values: readonly string[]): Redactor {
  const own = withoutIssuedCredentials(values);
  const key = JSON.stringify(own);
  let byValues = REDACTORS.get(names);
  if (byValues === undefined) {
    byValues = new Map();
    REDACTORS.set(names, byValues);
  }
  let found = byValues.get(key);
  if (found === undefined) {
    found = build(names, own);
    if (byValues.size >= REDACTORS_KEPT) byValues.delete(byValues.keys().next().value as string);
    byValues.set(key, found);
  }
  return found;
}

/** The key names a redactor masks for `names`, by list when it is frozen (every run passes the same one). */
const REDACTED_NAMES = new WeakMap<readonly string[], ReadonlySet<string>>();

function redactedNames(names: readonly string[]): ReadonlySet<string> {
  let found = REDACTED_NAMES.get(names);
  if (found === undefined) {
    found = new Set([...ALWAYS_SECRET_KEYS, ...names.map((n) => n.toLowerCase())]);
    if (Object.isFrozen(names)) REDACTED_NAMES.set(names, found);
  }
  return found;
}

/** Collects the string values under secret keys anywhere in `value` (e.g. `USER`, `sluice.yaml`). */
export function secretValuesIn(value: unknown, names: readonly string[]): string[] {
  // A step's output is often a scalar: nothing to look for (a run asks once per step).
  if (typeof value !== 'object' || value === null) return [];
  const { isWanted, indexNamed } = wantedNames(names);
  // Most values have no secret key at all: one walk without a set of the objects seen tells.
  if (nothingHidden(value, isWanted, undefined, indexNamed)) return [];
  const out: string[] = [];
  // A stack, not recursion: a hostile depth must neither overflow nor hide a value.
  const pending: unknown[] = [value];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v) && !indexNamed) {
      // Reversed, so values come out in document order.
      for (let i = v.length - 1; i >= 0; i--) {
        const inner: unknown = v[i];
        if (typeof inner === 'object' && inner !== null) pending.push(inner);
      }
      continue;
    }
    const keys = Object.keys(v);
    const record = v as Record<string, unknown>;
    const nested: unknown[] = [];
    for (const key of keys) {
      const inner = record[key];
      if (typeof inner === 'string') {
        if (inner !== '' && isWanted(key)) out.push(inner);
      } else if (typeof inner === 'object' && inner !== null) {
        nested.push(inner);
      }
    }
    for (let i = nested.length - 1; i >= 0; i--) pending.push(nested[i]);
  }
  return out;
}

/** The names a list of secret names stands for, lower-cased; by list, as a run passes the same one each time. */
const WANTED = new WeakMap<readonly string[], WantedNames>();

interface WantedNames {
  /** Whether a key is one of the names (any case), remembered per key. */
  isWanted: (key: string) => boolean;
  indexNamed: boolean;
}

function wantedNames(names: readonly string[]): WantedNames {
  let found = WANTED.get(names);
  if (found === undefined) {
    const wanted = new Set(names.map((n) => n.toLowerCase()));
    // An array's keys are its indexes: only a name that is an index can hold a secret there.
    const indexNamed = isIndexNamed(wanted);
    found = { isWanted: keyVerdicts((key) => wanted.has(key.toLowerCase())), indexNamed };
    // A frozen list cannot change under its entry; another list is read afresh each time.
    if (Object.isFrozen(names)) WANTED.set(names, found);
  }
  return found;
}

/** How many keys a redactor remembers the verdict of (a large document repeats a few keys many times). */
const KEY_VERDICTS = 4096;

/** Longer keys are tested each time: a hostile document's long keys are not kept. */
const KEY_VERDICT_LENGTH = 128;

/**
 * `test` remembered per key: lower-casing every key of 100,000 records is most of a walk's time. Made once
 * per redactor (its names never change) and shared by its walks, so a walk of a small value allocates none.
 * Full, it starts over rather than stop learning: a redactor is shared by workspaces with the same secrets,
 * and one document of thousands of distinct keys must not leave the others' walks without verdicts.
 */
function keyVerdicts(test: (key: string) => boolean): (key: string) => boolean {
  const verdicts = new Map<string, boolean>();
  return (key) => {
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = test(key);
      if (key.length <= KEY_VERDICT_LENGTH) {
        if (verdicts.size >= KEY_VERDICTS) verdicts.clear();
        verdicts.set(key, verdict);
      }
    }
    return verdict;
  };
}

/** An object or array being copied: its entries, the next one to look at, and its copy once one changed. */
interface Frame {
  source: Record<string, unknown> | unknown[];
  keys: readonly string[] | undefined;
  next: number;
  copy: Record<string, unknown> | unknown[] | undefined;
}

function build(names: ReadonlySet<string>, values: readonly string[]): Redactor {
  const pattern = secretPattern(values);
  const text = (value: string): string => pattern.replace(value, REDACTED);
  const isSecretKey = (key: string): boolean => names.has(key.toLowerCase());
  const isSecret = keyVerdicts(isSecretKey);
  // As in `secretValuesIn`: an index-like name makes an array's keys (and its other properties) count.
  const indexNamed = isIndexNamed(names);
  const leaf = (value: unknown): unknown => (typeof value === 'string' ? text(value) : value);
  // Copy on write: a value without secrets comes back as it is (no allocation); only the objects and
  // arrays on the way to a redacted value are copied. A stack of frames instead of recursion, so any
  // depth is inspected; an object met again on its own path (a cycle) is replaced. Frames are reused
  // by depth, and the path is a `WalkPath`: a large document of many small objects then costs no
  // allocation and no set operation per object.
  const copy = (root: unknown): unknown => {
    if (typeof root !== 'object' || root === null) return leaf(root);
    // A flat value with nothing to hide (headers, most outputs) comes back without the walk's frames
    // and path; `false` or `undefined` leave it to the walk. It reads arrays by index, as the walk does.
    if (flatVerdict(root, isSecret, pattern.test, false) === true) return root;
    const stack: Frame[] = [];
    const path = new WalkPath();
    let depth = 0;
    const enter = (source: object): void => {
      const frame = stack[depth];
      if (frame === undefined) stack.push(frameOf(source));
      else resetFrame(frame, source);
      path.enter(source);
      depth++;
    };
    enter(root);
    let done: unknown;
    while (depth > 0) {
      const frame = stack[depth - 1] as Frame;
      const length = frame.keys === undefined ? (frame.source as unknown[]).length : frame.keys.length;
      if (frame.next === length) {
        depth--;
        path.leave(frame.source);
        done = frame.copy ?? frame.source;
        resetFrame(frame, EMPTY);
        if (depth > 0) settle(stack[depth - 1] as Frame, done);
        continue;
      }
      const key = frame.keys === undefined ? frame.next : (frame.keys[frame.next] as string);
      const inner = (frame.source as Record<string | number, unknown>)[key];
      if (typeof key === 'string' && inner !== null && inner !== undefined && isSecret(key)) {
        settle(frame, inner === REDACTED ? inner : REDACTED);
      } else if (typeof inner !== 'object' || inner === null) {
        settle(frame, leaf(inner));
      } else if (path.has(inner)) {
        settle(frame, REDACTED);
      } else {
        enter(inner);
      }
    }
    return done;
  };
  return {
    text,
    value: <T>(value: T): T => copy(value) as T,
    holdsNoSecret: (value) => nothingHidden(value, isSecret, pattern.test, indexNamed),
    excerpt: (value, maxBytes) => excerpt(text, pattern.reach, value, maxBytes),
    with: (more) =>
      redactorOf(names, [...new Set([...values, ...more.filter((v) => typeof v === 'string' && v !== '')])]),
    isSecretKey,
  };
}

/** Whether one of `names` is an array index (`0`, `12`): then an array's keys are read as an object's. */
function isIndexNamed(names: Iterable<string>): boolean {
  for (const name of names) if (String(Number(name)) === name) return true;
  return false;
}

/**
 * {@link Redactor.holdsNoSecret}, and `secretValuesIn`'s first look (without `hides`): the copy walk's
 * traversal (an object's own keys, an array's indexes, the same path for cycles), `false` at the first
 * thing that walk would change or `secretValuesIn` would collect: a secret key holding anything but
 * `null` or `undefined`, a string `hides` finds something in, an object on its own path. Whatever
 * `secretValuesIn` reads, it reads too: under an index-like secret name an array is read as an object
 * (its keys, and so its other properties). Where it reads more (the inherited keys `for...in` lists
 * too), it may only refuse more.
 */
function nothingHidden(
  root: unknown,
  isSecret: (key: string) => boolean,
  hides: ((text: string) => boolean) | undefined,
  indexNamed: boolean,
): boolean {
  if (typeof root !== 'object' || root === null) {
    return typeof root !== 'string' || hides === undefined || !hides(root);
  }
  // A flat root (headers, a record) is answered without the walk's arrays and path.
  const rootVerdict = flatVerdict(root, isSecret, hides, indexNamed);
  if (rootVerdict !== undefined) return rootVerdict;
  // The path from the root: the objects, their keys (`undefined` for an array read by index) and the
  // next entry of each, in parallel arrays reused by depth.
  const sources: object[] = [];
  const keysOf: (readonly string[] | undefined)[] = [];
  const nexts: number[] = [];
  const path = new WalkPath();
  let depth = 0;
  const enter = (source: object): void => {
    sources[depth] = source;
    keysOf[depth] = Array.isArray(source) && !indexNamed ? undefined : Object.keys(source);
    nexts[depth] = 0;
    path.enter(source);
    depth++;
  };
  enter(root);
  walk: while (depth > 0) {
    const at = depth - 1;
    const source = sources[at] as Record<string | number, unknown>;
    const keys = keysOf[at];
    const length = keys === undefined ? (source as unknown as unknown[]).length : keys.length;
    for (let next = nexts[at] as number; next < length; next++) {
      let inner: unknown;
      if (keys === undefined) {
        inner = source[next];
      } else {
        const key = keys[next] as string;
        inner = source[key];
        if (inner !== null && inner !== undefined && isSecret(key)) return false;
      }
      if (typeof inner === 'string') {
        if (hides?.(inner) === true) return false;
      } else if (typeof inner === 'object' && inner !== null) {
        if (path.has(inner)) return false;
        const flat = flatVerdict(inner, isSecret, hides, indexNamed);
        if (flat === false) return false;
        if (flat === true) continue;
        nexts[at] = next + 1;
        enter(inner);
        continue walk;
      }
    }
    depth--;
    path.leave(source);
    // Nothing of the document stays referenced once the walk is done.
    sources[depth] = EMPTY;
    keysOf[depth] = undefined;
  }
  return true;
}

/**
 * What the walks would find in `source` if it holds no object (a record of a large list, headers, most
 * outputs), read in one loop without a frame, a path or an array of its keys: `true` when it holds nothing
 * hidden, `false` when it does (a secret key holding anything but `null` or `undefined`, a string `hides`
 * finds something in), `undefined` when it holds an object (the walk takes it from there). An array is
 * read by index, as the walks read it, unless `keyedArrays` (an index-like secret name: then by its keys).
 * `for...in` also lists inherited keys, which can only make it refuse more.
 */
function flatVerdict(
  source: object,
  isSecret: (key: string) => boolean,
  hides: ((text: string) => boolean) | undefined,
  keyedArrays: boolean,
): boolean | undefined {
  if (Array.isArray(source) && !keyedArrays) {
    for (let i = 0; i < source.length; i++) {
      const verdict = leafVerdict(source[i], hides);
      if (verdict !== true) return verdict;
    }
    return true;
  }
  const record = source as Record<string, unknown>;
  for (const key in record) {
    const inner = record[key];
    if (inner !== null && inner !== undefined && isSecret(key)) return false;
    const verdict = leafVerdict(inner, hides);
    if (verdict !== true) return verdict;
  }
  return true;
}

/** One entry of {@link flatVerdict}: `true` when it hides nothing, `false` when it does, `undefined` for an object. */
function leafVerdict(inner: unknown, hides: ((text: string) => boolean) | undefined): boolean | undefined {
  if (typeof inner === 'string') return hides?.(inner) !== true;
  return typeof inner !== 'object' || inner === null ? true : undefined;
}

/** How many objects from the root on a walk finds on its path by searching an array. */
const SHALLOW_PATH = 32;

/**
 * The objects on a walk's path from the root, to find cycles: the first {@link SHALLOW_PATH} in an
 * array searched from the root, deeper ones in a set. A large document of many small objects then costs
 * no set operation per object.
 */
class WalkPath {
  readonly #near: object[] = [];
  readonly #deep = new Set<object>();
  #depth = 0;

  enter(source: object): void {
    if (this.#depth < SHALLOW_PATH) this.#near[this.#depth] = source;
    else this.#deep.add(source);
    this.#depth++;
  }

  leave(source: object): void {
    this.#depth--;
    // The array keeps no document alive once the walk is done.
    if (this.#depth < SHALLOW_PATH) this.#near[this.#depth] = EMPTY;
    else this.#deep.delete(source);
  }

  has(value: object): boolean {
    const near = Math.min(this.#depth, SHALLOW_PATH);
    for (let i = 0; i < near; i++) if (this.#near[i] === value) return true;
    return this.#depth > SHALLOW_PATH && this.#deep.has(value);
  }
}

/** What a frame not in use holds, so it keeps no document alive. */
const EMPTY: readonly unknown[] = Object.freeze([]);

function frameOf(source: object): Frame {
  const frame: Frame = { source: EMPTY as unknown[], keys: undefined, next: 0, copy: undefined };
  resetFrame(frame, source);
  return frame;
}

/** `frame` made ready for `source` (frames are reused by depth). */
function resetFrame(frame: Frame, source: object): void {
  const array = Array.isArray(source);
  frame.source = array ? (source as unknown[]) : (source as Record<string, unknown>);
  frame.keys = array ? undefined : Object.keys(source);
  frame.next = 0;
  frame.copy = undefined;
}

/** Records the (possibly redacted) value of the frame's current entry and moves on. */
function settle(frame: Frame, value: unknown): void {
  const key = frame.keys === undefined ? frame.next : (frame.keys[frame.next] as string);
  const source = frame.source as Record<string | number, unknown>;
  if (value !== source[key]) {
    frame.copy ??= Array.isArray(frame.source) ? arrayCopy(frame.source) : { ...frame.source };
    (frame.copy as Record<string | number, unknown>)[key] = value;
  }
  frame.next++;
}

/**
 * A copy of `array`'s entries, holes kept. Not `slice()`: it makes its copy through `array.constructor`,
 * which an array's own `constructor` entry (a connector's output, say) replaces, and then throws.
 */
function arrayCopy(array: readonly unknown[]): unknown[] {
  const copy = new Array<unknown>(array.length);
  for (let i = 0; i < array.length; i++) if (i in array) copy[i] = array[i];
  return copy;
}

/**
 * The redacted start of `value`, at most `maxBytes` UTF-8 bytes. Only a window is redacted: wide enough
 * that every secret whose text reaches the kept part lies in it whole. The kept part is at most `maxBytes`
 * characters, each `[redacted]` in it stands for at most `reach` characters of the original, and the
 * window adds `reach` more for a secret that starts at the last kept character.
 */
function excerpt(
  text: (value: string) => string,
  reach: number,
  value: string | Uint8Array,
  maxBytes: number,
): string {
  const window = maxBytes + (Math.floor(maxBytes / REDACTED.length) + 2) * reach;
  // A character is at most 3 UTF-8 bytes per UTF-16 unit: this many bytes hold the window.
  const start =
    typeof value === 'string'
      ? value.slice(0, window)
      : new TextDecoder().decode(value.subarray(0, 3 * window)).slice(0, window);
  return cutUtf8(text(start), maxBytes);
}

/** `value` cut to at most `maxBytes` UTF-8 bytes, on a character boundary. */
function cutUtf8(value: string, maxBytes: number): string {
  // A UTF-16 unit is at least one UTF-8 byte, so the first `maxBytes` units hold the answer.
  let head = value.slice(0, maxBytes);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  // At most 3 UTF-8 bytes per UTF-16 unit: most values need no count.
  if (head.length * 3 <= maxBytes) return head;
  const bytes = Buffer.from(head, 'utf8');
  if (bytes.length <= maxBytes) return head;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
