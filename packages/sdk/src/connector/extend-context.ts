/**
 * The context objects author code receives (`execute`, field functions): the runtime's
 * {@link ApiContext} with one more value.
 *
 * @module
 */
import type { ApiContext } from './define-connector.js';

/** The `connection` getter of the contexts made from each base, made once per base. */
const connectionGetters = new WeakMap<ApiContext, PropertyDescriptor>();

/**
 * A new context `{ connection, http, call, [key]: value }` made from `base`. `connection` is an own,
 * enumerable getter that reads `base.connection`, so code that runs after authorization refreshed the
 * connection reads the new values; the object is what `{ get connection() { return base.connection },
 * http, call, [key]: value }` would be. It is built with `Object.defineProperty` and a getter shared
 * per base, because V8 creates an object literal with a getter several times more slowly, and one is
 * made on every action call.
 */
export function extendContext<K extends string, V>(
  base: ApiContext,
  key: K,
  value: V,
): ApiContext & { readonly [P in K]: V } {
  let connection = connectionGetters.get(base);
  if (connection === undefined) {
    connection = { get: () => base.connection, enumerable: true, configurable: true };
    connectionGetters.set(base, connection);
  }
  const context: Record<string, unknown> = {};
  Object.defineProperty(context, 'connection', connection);
  context.http = base.http;
  context.call = base.call;
  context[key] = value;
  return context as unknown as ApiContext & { readonly [P in K]: V };
}
