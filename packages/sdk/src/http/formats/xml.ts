/**
 * XML the Workato way, both directions. Pure functions.
 *
 * Objects to XML ({@link toWorkatoXml}, Workato's `request_format_xml`, which uses Gyoku): each key
 * becomes an element, an array becomes the element repeated, keys starting with `@` become attributes,
 * `content!` becomes the text of the element; `null` becomes an empty element and `undefined` is left
 * out; a `Date` becomes ISO 8601.
 *
 * XML to objects ({@link fromWorkatoXml}, Workato's `response_format_xml`): every element becomes an
 * array of objects (repeated elements are entries of one array), attributes become `@name` keys and
 * the element's text becomes `content!` (text and CDATA pieces joined; whitespace-only pieces between
 * elements dropped, other text kept as it is, untrimmed). Values stay strings. Namespace prefixes are
 * kept in names (`soap:Envelope`, `@xmlns:soap`). An empty element is `{}`.
 *
 * @example
 * fromWorkatoXml('<customers><customer id="1"><name>A</name></customer></customers>');
 * // { customers: [{ customer: [{ '@id': '1', name: [{ 'content!': 'A' }] }] }] }
 *
 * @module
 */
import { createRequire } from 'node:module';
import type * as FastXml from 'fast-xml-parser';
import { SdkError } from '../../errors.js';
import { describe, isRecord } from '../values.js';
import { quoteStart } from './json.js';

/** The key of an element's text, in both directions. */
export const XML_CONTENT_KEY = 'content!';
/** The prefix of attribute keys, in both directions. */
export const XML_ATTRIBUTE_PREFIX = '@';

const XML_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*(?::[\p{L}_][\p{L}\p{N}_.-]*)?$/u;

/** True when `name` can be an XML element or attribute name (an optional `prefix:` included). */
export function isXmlName(name: string): boolean {
  return XML_NAME.test(name);
}

/**
 * Renders `payload` as an XML document whose root element is `root` (see the module comment). A
 * string payload is taken as a finished document and returned as it is.
 *
 * @throws {SdkError} `SLUICE_HTTP_PAYLOAD` for a name that is not a valid XML name, or a payload that
 * is neither an object nor a string; the message names the path (`customer.@id`).
 */
export function toWorkatoXml(root: string, payload: unknown): string {
  if (typeof payload === 'string') return payload;
  if (payload !== undefined && payload !== null && !isRecord(payload)) {
    throw payloadError(root, `expected an object or a string, got ${describe(payload)}`);
  }
  return renderElement(root, payload ?? {}, root);
}

function renderElement(name: string, value: unknown, path: string): string {
  if (value === undefined) return '';
  if (Array.isArray(value))
    return value.map((item, i) => renderElement(name, item, `${path}[${i}]`)).join('');
  if (!isXmlName(name)) throw payloadError(path, `${JSON.stringify(name)} is not a valid XML element name`);
  if (value === null) return `<${name}/>`;
  if (!isRecord(value)) return `<${name}>${escapeText(scalarText(value, path))}</${name}>`;
  let attributes = '';
  let text = '';
  let children = '';
  for (const [key, child] of Object.entries(value)) {
    if (key === XML_CONTENT_KEY) {
      if (child !== undefined && child !== null) text = escapeText(scalarText(child, `${path}.${key}`));
    } else if (key.startsWith(XML_ATTRIBUTE_PREFIX)) {
      const attribute = key.slice(XML_ATTRIBUTE_PREFIX.length);
      if (!isXmlName(attribute)) {
        throw payloadError(
          `${path}.${key}`,
          `${JSON.stringify(attribute)} is not a valid XML attribute name`,
        );
      }
      if (child === undefined || child === null) continue;
      attributes += ` ${attribute}="${escapeAttribute(scalarText(child, `${path}.${key}`))}"`;
    } else {
      children += renderElement(key, child, `${path}.${key}`);
    }
  }
  const body = text + children;
  return body === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${body}</${name}>`;
}

function scalarText(value: unknown, path: string): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (typeof value === 'bigint') return value.toString();
  throw payloadError(path, `cannot put ${describe(value)} in text or an attribute`);
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function payloadError(path: string, problem: string): SdkError {
  return new SdkError('SLUICE_HTTP_PAYLOAD', `cannot render the XML payload at ${path}: ${problem}`, {
    hint: 'use element names as keys, "@name" keys for attributes and "content!" for text',
  });
}

/** One node of fast-xml-parser's `preserveOrder` output. */
type OrderedNode = Record<string, unknown>;

// fast-xml-parser is loaded on the first XML document: most connectors never see one, and its ESM build
// costs tens of milliseconds at start-up (its CommonJS build loads several times faster).
let xml: { parser: FastXml.XMLParser; validator: typeof FastXml.XMLValidator } | undefined;

function loadXml(): NonNullable<typeof xml> {
  if (xml === undefined) {
    const { XMLParser, XMLValidator } = createRequire(import.meta.url)('fast-xml-parser') as typeof FastXml;
    xml = { parser: new XMLParser(PARSER_OPTIONS), validator: XMLValidator };
  }
  return xml;
}

const PARSER_OPTIONS: FastXml.X2jOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: XML_ATTRIBUTE_PREFIX,
  textNodeName: '#text',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
};

/**
 * Parses an XML document into Workato's object shape (see the module comment). A blank document
 * parses to `null`. `where` names the source in errors (`GET https://...`).
 *
 * @throws {SdkError} `SLUICE_HTTP_RESPONSE_FORMAT` when the text is not well-formed XML; the message
 * gives the line and quotes the start of the text.
 */
export function fromWorkatoXml(text: string, where = 'the document'): Record<string, unknown[]> | null {
  const body = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trimStart();
  if (body.trim() === '') return null;
  const { parser, validator } = loadXml();
  const valid = validator.validate(body);
  let nodes: unknown;
  try {
    if (valid !== true) throw new Error(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
    nodes = parser.parse(body);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new SdkError(
      'SLUICE_HTTP_RESPONSE_FORMAT',
      `the response of ${where} is not XML: ${reason}: ${quoteStart(body)}`,
      {
        hint: 'call .responseFormatRaw() to get the body as text, or .responseFormatJson() for JSON',
        cause: err,
      },
    );
  }
  return convertChildren(Array.isArray(nodes) ? nodes : []) as Record<string, unknown[]>;
}

function convertChildren(nodes: readonly unknown[]): Record<string, unknown> {
  const element: Record<string, unknown> = {};
  for (const node of nodes) {
    if (!isOrderedNode(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@') continue;
      if (key === '#text') {
        const piece = String(value);
        if (piece.trim() === '') continue;
        const before = element[XML_CONTENT_KEY];
        setOwn(element, XML_CONTENT_KEY, typeof before === 'string' ? before + piece : piece);
        continue;
      }
      const child: Record<string, unknown> = {};
      const attributes = node[':@'];
      if (isOrderedNode(attributes)) {
        for (const [name, attr] of Object.entries(attributes)) setOwn(child, name, String(attr));
      }
      for (const [name, inner] of Object.entries(convertChildren(Array.isArray(value) ? value : []))) {
        setOwn(child, name, inner);
      }
      const list = Object.hasOwn(element, key) ? element[key] : undefined;
      if (Array.isArray(list)) list.push(child);
      else setOwn(element, key, [child]);
    }
  }
  return element;
}

function isOrderedNode(value: unknown): value is OrderedNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, even for names such as `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
