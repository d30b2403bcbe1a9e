import { isSluiceError, type SluiceError } from '@sluice/sdk';
import { fromWorkatoXml, toWorkatoXml } from '@sluice/sdk/internal';
import { describe, expect, it } from 'vitest';

function failure(run: () => unknown): SluiceError {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('fromWorkatoXml', () => {
  it('makes every element an array of objects, attributes @name and text content!', () => {
    expect(fromWorkatoXml('<customers><customer id="1"><name>A</name></customer></customers>')).toEqual({
      customers: [{ customer: [{ '@id': '1', name: [{ 'content!': 'A' }] }] }],
    });
  });

  it('collects repeated elements in one array, in document order', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<list>
  <Contact><Name type="C"><First>Donna</First></Name></Contact>
  <Contact><Name type="C"><First>Rose</First></Name></Contact>
</list>`;
    expect(fromWorkatoXml(xml)).toEqual({
      list: [
        {
          Contact: [
            { Name: [{ '@type': 'C', First: [{ 'content!': 'Donna' }] }] },
            { Name: [{ '@type': 'C', First: [{ 'content!': 'Rose' }] }] },
          ],
        },
      ],
    });
  });

  it('keeps values as strings, text untrimmed, and joins text with CDATA', () => {
    expect(fromWorkatoXml('<a n="007"><b> 42 </b><c>x<![CDATA[<y>]]>z</c></a>')).toEqual({
      a: [{ '@n': '007', b: [{ 'content!': ' 42 ' }], c: [{ 'content!': 'x<y>z' }] }],
    });
  });

  it('decodes entities and keeps namespace prefixes', () => {
    const xml =
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>a &amp; b &lt;c&gt;</soap:Body></soap:Envelope>';
    expect(fromWorkatoXml(xml)).toEqual({
      'soap:Envelope': [
        {
          '@xmlns:soap': 'http://schemas.xmlsoap.org/soap/envelope/',
          'soap:Body': [{ 'content!': 'a & b <c>' }],
        },
      ],
    });
  });

  it('turns an empty element into an empty object, and a blank document into null', () => {
    expect(fromWorkatoXml('<a><b/><c></c></a>')).toEqual({ a: [{ b: [{}], c: [{}] }] });
    expect(fromWorkatoXml('  ')).toBeNull();
  });

  it('raises SLUICE_HTTP_RESPONSE_FORMAT for XML that is not well-formed', () => {
    const err = failure(() => fromWorkatoXml('<a><b></a>', 'GET http://h/x.xml'));
    expect(err.code).toBe('SLUICE_HTTP_RESPONSE_FORMAT');
    expect(err.message).toMatch(
      /^the response of GET http:\/\/h\/x\.xml is not XML: .*line 1.*: "<a><b><\/a>"$/,
    );
  });
});

describe('toWorkatoXml', () => {
  it('renders keys as elements, arrays as repeated elements, @keys as attributes and content! as text', () => {
    const xml = toWorkatoXml('customer', {
      '@id': 7,
      name: 'A & B',
      phone: [
        { '@type': 'home', 'content!': '123' },
        { '@type': 'work', 'content!': '456' },
      ],
      address: { city: 'Anytown', zip: 94321 },
    });
    expect(xml).toBe(
      '<customer id="7"><name>A &amp; B</name><phone type="home">123</phone><phone type="work">456</phone>' +
        '<address><city>Anytown</city><zip>94321</zip></address></customer>',
    );
  });

  it('renders null as an empty element, leaves undefined out, and writes dates as ISO 8601', () => {
    expect(toWorkatoXml('r', { a: null, b: undefined, at: new Date('2024-01-02T03:04:05Z') })).toBe(
      '<r><a/><at>2024-01-02T03:04:05.000Z</at></r>',
    );
    expect(toWorkatoXml('r', undefined)).toBe('<r/>');
  });

  it('escapes attribute values', () => {
    expect(toWorkatoXml('r', { '@q': 'say "hi" <now>' })).toBe('<r q="say &quot;hi&quot; &lt;now&gt;"/>');
  });

  it('sends a string payload as a finished document', () => {
    expect(toWorkatoXml('ignored', '<x>1</x>')).toBe('<x>1</x>');
  });

  it('round-trips what fromWorkatoXml produced', () => {
    const xml =
      '<customers><customer id="1"><name>A</name></customer><customer id="2"><name>B</name></customer></customers>';
    const parsed = fromWorkatoXml(xml);
    expect(toWorkatoXml('customers', parsed?.customers?.[0])).toBe(xml);
  });

  it('names the path of an invalid element name', () => {
    const err = failure(() => toWorkatoXml('r', { items: [{ 'bad name': 1 }] }));
    expect(err.code).toBe('SLUICE_HTTP_PAYLOAD');
    expect(err.message).toBe(
      'cannot render the XML payload at r.items[0].bad name: "bad name" is not a valid XML element name',
    );
  });

  it('rejects an array or a number as the whole payload', () => {
    expect(failure(() => toWorkatoXml('r', [1])).message).toBe(
      'cannot render the XML payload at r: expected an object or a string, got an array',
    );
    expect(failure(() => toWorkatoXml('r', { a: { '@x': { y: 1 } } })).message).toBe(
      'cannot render the XML payload at r.a.@x: cannot put an object in text or an attribute',
    );
  });
});
