import { TemplateRenderer } from '@sluice/engine';
import { afterAll, describe, expect, it } from 'vitest';

const renderer = new TemplateRenderer();
afterAll(() => renderer.close());
const render = (template: string): Promise<unknown> => renderer.render(template, {}, { field: 'test' });

// Expected outputs were produced by Jinja2 3.1.6 (`Environment(undefined=StrictUndefined)
// .from_string(template).render()`), so each row is what Jinja2 prints for the same template.
const JINJA2_OUTPUT: Record<string, [template: string, jinja2: string][]> = {
  tojson: [
    ["{{ {'b': 1, 'a': [1, 2.5, none, true]}|tojson }}", '{"a": [1, 2.5, null, true], "b": 1}'],
    ["{{ '<a href=\"x\">&\\'</a>'|tojson }}", '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u0027\\u003c/a\\u003e"'],
    ["{{ 'café ☃ 😀'|tojson }}", '"caf\\u00e9 \\u2603 \\ud83d\\ude00"'],
    [
      "{{ {'z': {'y': [], 'x': {}}, 'a': 'q'}|tojson(indent=2) }}",
      '{\n  "a": "q",\n  "z": {\n    "x": {},\n    "y": []\n  }\n}',
    ],
    ['{{ [1, [2, 3]]|tojson(2) }}', '[\n  1,\n  [\n    2,\n    3\n  ]\n]'],
    ["{{ 'tab\\tnl\\n\\x01\\x7f'|tojson }}", '"tab\\tnl\\n\\u0001\\u007f"'],
    ['{{ 0.1|tojson }} {{ 1e-05|tojson }}', '0.1 1e-05'],
  ],
  format: [
    ["{{ '%s, %s!'|format('Hello', 'World') }}", 'Hello, World!'],
    ["{{ '%d items at %.2f'|format(3, 2.5) }}", '3 items at 2.50'],
    ["{{ '%(name)s is %(age)d'|format(name='Ann', age=7) }}", 'Ann is 7'],
    [
      "{{ '%5s|%-5s|%05d|%+d|%x|%#X|%o|%e|%g|%g|%%'|format('a', 'b', 42, 3, 255, 255, 8, 12345.678, 0.0001, 1e20) }}",
      '    a|b    |00042|+3|ff|0XFF|10|1.234568e+04|0.0001|1e+20|%',
    ],
    ["{{ '%s %r %s %s'|format(none, 'it', true, [1, 'a']) }}", "None 'it' True [1, 'a']"],
    ["{{ '%c%c'|format(65, 'b') }}", 'Ab'],
  ],
  center: [
    ["[{{ 'abc'|center(9) }}]", '[   abc   ]'],
    ["[{{ 'ab'|center(9) }}]", '[    ab   ]'],
    ["[{{ 'abc'|center(8) }}]", '[  abc   ]'],
    ["[{{ 'abc'|center(2) }}]", '[abc]'],
    [
      "[{{ 'x'|center }}]",
      '[                                       x                                        ]',
    ],
  ],
  forceescape: [
    [
      "{{ '<b class=\"x\">O\\'Neil & co</b>'|forceescape }}",
      '&lt;b class=&#34;x&#34;&gt;O&#39;Neil &amp; co&lt;/b&gt;',
    ],
  ],
  urlencode: [
    ["{{ 'a b/c?d=é&'|urlencode }}", 'a%20b/c%3Fd%3D%C3%A9%26'],
    ["{{ {'q': 'a b', 'x': '/&='}|urlencode }}", 'q=a+b&x=%2F%26%3D'],
    ["{{ [('a', 1), ('b', none)]|urlencode }}", 'a=1&b=None'],
    ['{{ 42|urlencode }}', '42'],
  ],
  wordcount: [
    ["{{ 'Hello, world! it\\'s  fine_ok 42'|wordcount }}", '6'],
    ["{{ 'café naïve'|wordcount }}", '2'],
  ],
  wordwrap: [
    [
      "{{ 'The quick brown fox jumps over the lazy dog'|wordwrap(10) }}",
      'The quick\nbrown fox\njumps over\nthe lazy\ndog',
    ],
    ["{{ 'a-very-long-hyphenated-word here'|wordwrap(8) }}", 'a-very-\nlong-hyp\nhenated-\nword\nhere'],
    ["{{ 'supercalifragilistic word'|wordwrap(5) }}", 'super\ncalif\nragil\nistic\nword'],
    ["{{ 'supercalifragilistic word'|wordwrap(5, false) }}", 'supercalifragilistic\nword'],
    ["{{ 'one two three four'|wordwrap(9, wrapstring='<br>') }}", 'one two<br>three<br>four'],
    ["{{ 'para one is here\\n\\npara two is here'|wordwrap(8) }}", 'para one\nis here\n\npara two\nis here'],
    ["{{ 'well-known co-op'|wordwrap(6, break_on_hyphens=false) }}", 'well-k\nnown\nco-op'],
    ["{{ '  lead  spaces  here'|wordwrap(7) }}", '  lead\nspaces\nhere'],
  ],
  xmlattr: [
    [
      "<ul{{ {'class': 'my_list', 'missing': none, 'id': 'list-%d'|format(42)}|xmlattr }}>",
      '<ul class="my_list" id="list-42">',
    ],
    ["<p{{ {'n': 3, 'title': '<\"&\\'>'}|xmlattr(false) }}>", '<pn="3" title="&lt;&#34;&amp;&#39;&gt;">'],
  ],
  urlize: [
    [
      "{{ 'visit https://example.com/a?b=1, or www.example.org.'|urlize }}",
      'visit <a href="https://example.com/a?b=1" rel="noopener">https://example.com/a?b=1</a>, or <a href="https://www.example.org" rel="noopener">www.example.org</a>.',
    ],
    [
      "{{ 'mail me@example.com or mailto:you@example.net'|urlize }}",
      'mail <a href="mailto:me@example.com">me@example.com</a> or <a href="mailto:you@example.net">you@example.net</a>',
    ],
    [
      "{{ '(see http://example.com/x_(y))'|urlize }}",
      '(see <a href="http://example.com/x_(y)" rel="noopener">http://example.com/x_(y)</a>)',
    ],
    [
      "{{ 'https://example.com/very/long/path'|urlize(20, true) }}",
      '<a href="https://example.com/very/long/path" rel="nofollow noopener">https://example.com/...</a>',
    ],
    [
      "{{ 'go to example.com now'|urlize(target='_blank', rel='me') }}",
      'go to <a href="https://example.com" rel="me noopener" target="_blank">example.com</a> now',
    ],
    [
      "{{ 'ftp://files.example.com x'|urlize(extra_schemes=['ftp://']) }}",
      '<a href="ftp://files.example.com" rel="noopener">ftp://files.example.com</a> x',
    ],
    [
      "{{ 'a <b> & c http://x.com'|urlize }}",
      'a &lt;b&gt; &amp; c <a href="http://x.com" rel="noopener">http://x.com</a>',
    ],
  ],
};

describe('filters added for Jinja2 compatibility', () => {
  for (const [filter, rows] of Object.entries(JINJA2_OUTPUT)) {
    it.each(rows)(`${filter} renders %s as Jinja2 does`, async (template, expected) => {
      expect(String(await render(template))).toBe(expected);
    });
  }

  it('renders the documented format example: {{ "%s, %s!"|format(greeting, name) }} gives Hello, World!', async () => {
    const out = await renderer.render(
      '{{ "%s, %s!"|format(INPUT.greeting, INPUT.name) }}',
      { INPUT: { greeting: 'Hello', name: 'World' } },
      { field: 'f' },
    );
    expect(out).toBe('Hello, World!');
  });

  it('renders the documented xmlattr example as <ul class="my_list" id="list-42">', async () => {
    // Jinja2 docs: <ul{{ {'class': 'my_list', 'missing': none, 'id': 'list-%d'|format(variable)}|xmlattr }}>
    // "Results in something like this: <ul class="my_list" id="list-42">"
    const template = "<ul{{ {'class': 'my_list', 'missing': none, 'id': 'list-%d'|format(INPUT)}|xmlattr }}>";
    expect(await renderer.render(template, { INPUT: 42 }, { field: 'f' })).toBe(
      '<ul class="my_list" id="list-42">',
    );
  });

  it('picks random items from the sequence', async () => {
    const seen = new Set<unknown>();
    for (let i = 0; i < 200; i++) seen.add(await render("{{ ['a', 'b', 'c']|random }}"));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });

  it('returns the typed value of tojson-free filters in a single expression', async () => {
    expect(await render("{{ 'a b c'|wordcount }}")).toBe(3);
  });

  it.each([
    ["{{ 'x'|wordwrap(0) }}", 'filter wordwrap: invalid width 0 (must be > 0)'],
    ["{{ '%d'|format('x') }}", 'filter format: %d format: a real number is required, not str'],
    ["{{ '%s %s'|format(1) }}", 'filter format: not enough arguments for format string'],
    [
      "{{ '%s'|format(1, a=2) }}",
      "filter format: can't handle positional and keyword arguments at the same time",
    ],
    ["{{ {'a b': 1}|xmlattr }}", "filter xmlattr: Invalid character in attribute name: 'a b'"],
    ["{{ 'x'|center(width='w') }}", 'filter center: center(): width must be an integer, not w'],
    ["{{ 'x'|center(size=3) }}", "filter center: center() got an unexpected keyword argument 'size'"],
  ])('fails %s with a clear message, as Jinja2 raises', async (template, message) => {
    await expect(render(template)).rejects.toThrow(message);
  });

  it('keeps working after a filter failed (errors never reach the WebAssembly engine)', async () => {
    await expect(render("{{ 'x'|wordwrap(-1) }}")).rejects.toThrow();
    expect(await render("{{ 'ab'|center(4) }}")).toBe(' ab ');
  });
});
