import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64Candidates, normalise, spelledEmailView, toOriginalSpan, type NormalisedText } from '../src/dlp/normalize.js';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const INVISIBLES = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u180E', '\u202A', '\u202E', '\u2066', '\u2069'];

/** Characters that exercise every path: invisibles, full-width, other digits, NFKC, confusables, surrogates. */
const special = fc.constantFrom(
  ...INVISIBLES,
  '４', 'Ａ', '＠', '．', '\u3000', '٤', '४', '৪', '𝟒', '𝐚', '™', '…', '\u00A0', 'а', 'е', 'о', 'р', 'Α', 'ο', 'ν', 'ɡ',
  'п', 'ж', 'é', '漢', '😀', '\uD800', '\uDFFF', '@', '.', ' ', 'a', '1',
);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const unit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), special, loneSurrogate);
const anyText = fc.string({ unit, maxLength: 60 });

/** Invariants every view must hold, whatever the input. */
function expectWellFormed(n: NormalisedText, original: string): void {
  expect(n.map.length).toBe(n.text.length + 1);
  expect(n.mapEnd.length).toBe(n.text.length + 1);
  expect(n.map[n.text.length]).toBe(original.length);
  expect(n.mapEnd[n.text.length]).toBe(original.length);
  const bad: number[] = []; // collected, not asserted per unit: one expect per unit makes 2000 runs slow
  for (let i = 0; i < n.text.length; i++) {
    const from = n.map[i] as number;
    const to = n.mapEnd[i] as number;
    const ok = from < to && to <= original.length && (n.map[i + 1] as number) >= from && (n.mapEnd[i + 1] as number) >= to;
    if (!ok) bad.push(i);
  }
  expect(bad).toEqual([]);
}

function expectIdentity(n: NormalisedText, original: string): void {
  expect(n.text).toBe(original);
  expect(n.changes).toEqual([]);
  expect([...n.map]).toEqual(Array.from({ length: original.length + 1 }, (_, i) => i));
}

/** Maps a span of a view of a normalised text all the way back (innermost view first). */
function throughBoth(view: NormalisedText, n: NormalisedText, start: number, end: number): { start: number; end: number } {
  const inner = toOriginalSpan(view, start, end);
  return toOriginalSpan(n, inner.start, inner.end);
}

describe('normalise: map invariants', () => {
  it('keeps the map non-decreasing and within bounds, and never throws, for any string', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expectWellFormed(normalise(s), s);
      }),
      { numRuns: 2000 },
    );
  });

  it('is the identity, with the identity map, on text with nothing to fold or remove', () => {
    // ASCII, accented Latin, Cyrillic/Greek letters that look like no Latin letter, CJK, emoji
    const inert = fc.constantFrom(...'abcXYZ019 .,;:@-_+/=()[]\n\téüñßжплдяΓΔΣλπ漢字😀'.split(/(?:)/u));
    fc.assert(
      fc.property(fc.array(inert, { maxLength: 80 }), (chars) => {
        const s = chars.join('');
        expectIdentity(normalise(s), s);
      }),
      { numRuns: 1000 },
    );
  });

  it('reports no change exactly when the text comes back unchanged', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const n = normalise(s);
        // every change drops a non-ASCII character or turns it into ASCII, so a change always shows
        if (n.changes.length === 0) expectIdentity(n, s);
        else expect(n.text).not.toBe(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on lone surrogates and keeps them', () => {
    for (const s of ['\uD800', '\uDC00', 'a\uD800b', '\uDBFF\uDBFF', '\uDC00\uD800', '4\uD8001\u200B1']) {
      const n = normalise(s);
      expectWellFormed(n, s);
      expect(n.text).toBe(s.replace(/\u200B/g, ''));
      expect(() => spelledEmailView(s)).not.toThrow();
      expect(() => base64Candidates(s)).not.toThrow();
    }
  });
});

describe('normalise: invisible characters', () => {
  const email = fc
    .tuple(
      fc.stringMatching(/^[a-z0-9]{1,10}$/),
      fc.stringMatching(/^[a-z0-9]{1,10}$/),
      fc.constantFrom('com', 'org', 'de', 'co.uk'),
    )
    .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

  it('removes invisibles from an email so a plain regex finds it, and maps the span back over them', () => {
    fc.assert(
      fc.property(email, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVISIBLES)), { maxLength: 8 }), (plain, inserts) => {
        let obfuscated = plain;
        for (const [at, ch] of inserts) {
          const k = at % (obfuscated.length + 1);
          obfuscated = obfuscated.slice(0, k) + ch + obfuscated.slice(k);
        }
        const original = `contact: ${obfuscated} thanks`;
        const n = normalise(original);
        const m = EMAIL.exec(n.text);
        expect(m?.[0]).toBe(plain);
        const span = toOriginalSpan(n, m?.index ?? 0, (m?.index ?? 0) + plain.length);
        // the span starts at the first visible character and ends after the last one: invisibles inside are covered
        const inner = obfuscated.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
        expect(original.slice(span.start, span.end)).toBe(inner);
        if (inserts.length > 0) expect(n.changes.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('names what it removed', () => {
    expect(normalise('a\u200Bb\u00ADc\u202Ed').changes).toEqual(['zero-width removed', 'soft hyphen removed', 'bidi control removed']);
  });

  it('maps a span past a removed character at its edge to exclude it', () => {
    const n = normalise('\u200Babc\u200B');
    expect(n.text).toBe('abc');
    expect(toOriginalSpan(n, 0, 3)).toEqual({ start: 1, end: 4 });
  });
});

describe('normalise: digits and full-width', () => {
  it('folds full-width digits and ideographic spaces one for one', () => {
    const original = 'card ４１１１　１１１１　１１１１　１１１１ ok';
    const n = normalise(original);
    expect(n.text).toBe('card 4111 1111 1111 1111 ok');
    expect(n.changes).toEqual(['full-width folded']);
    expect(toOriginalSpan(n, 5, 24)).toEqual({ start: 5, end: 24 });
  });

  it('folds full-width letters and punctuation, so a full-width email is an email', () => {
    const n = normalise('ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ');
    expect(n.text).toBe('john@example.com');
  });

  it('folds every decimal digit of every numbering system to its ASCII value', () => {
    let checked = 0;
    for (const system of Intl.supportedValuesOf('numberingSystem')) {
      let format: Intl.NumberFormat;
      try {
        format = new Intl.NumberFormat(`en-u-nu-${system}`, { useGrouping: false });
      } catch {
        continue;
      }
      if (format.resolvedOptions().numberingSystem !== system) continue; // algorithmic systems (roman, …)
      for (let d = 0; d <= 9; d++) {
        const glyph = format.format(d);
        if ([...glyph].length !== 1 || !/^\p{Nd}$/u.test(glyph)) continue;
        expect(normalise(glyph).text, `${system} ${d}`).toBe(String(d));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('folds Arabic-Indic, Devanagari and mathematical digits, mapping astral ones to both code units', () => {
    expect(normalise('٠٧٨-٠٥-١١٢٠').text).toBe('078-05-1120');
    expect(normalise('०७८ ০৫').text).toBe('078 05');
    const n = normalise('x𝟒𝟏y');
    expect(n.text).toBe('x41y');
    expect(toOriginalSpan(n, 1, 2)).toEqual({ start: 1, end: 3 });
    expect(toOriginalSpan(n, 1, 3)).toEqual({ start: 1, end: 5 });
    expect(n.changes).toEqual(['digits folded']);
  });

  it('leaves digits split by separators alone (detector patterns handle them)', () => {
    expectIdentity(normalise('4 1 1 1 - 1 1 1 1'), '4 1 1 1 - 1 1 1 1');
  });
});

describe('normalise: look-alike letters', () => {
  it('folds a Cyrillic letter inside a Latin word', () => {
    const original = 'login at pаypal.com now'; // Cyrillic а
    const n = normalise(original);
    expect(n.text).toBe('login at paypal.com now');
    expect(n.changes).toEqual(['look-alike letters folded']);
    expect(toOriginalSpan(n, 9, 19)).toEqual({ start: 9, end: 19 });
  });

  it('leaves genuine Russian and Greek text alone, even next to Latin words', () => {
    expectIdentity(normalise('привет'), 'привет');
    expectIdentity(normalise('Привет, мир! Καλημέρα κόσμε'), 'Привет, мир! Καλημέρα κόσμε');
    expect(normalise('Привет pаypal').text).toBe('Привет paypal');
  });

  it('folds Greek capitals mixed with digits and confusables in an email', () => {
    expect(normalise('ΑΒ12').text).toBe('AB12');
    expect(normalise('jоhn.dое@ехаmple.соm').text).toBe('john.doe@example.com');
    expect(normalise('ΑΒΓ').text).toBe('ΑΒΓ');
  });

  it('treats invisibles as part of the word and folds mathematical letters through NFKC', () => {
    expect(normalise('p\u200Bаypal').text).toBe('paypal');
    const n = normalise('𝐩𝐚𝐲 me');
    expect(n.text).toBe('pay me');
    expect(toOriginalSpan(n, 0, 3)).toEqual({ start: 0, end: 6 });
  });

  it('maps a one-to-many fold to the whole original character', () => {
    const n = normalise('a™b');
    expect(n.text).toBe('aTMb');
    expect(toOriginalSpan(n, 1, 2)).toEqual({ start: 1, end: 2 });
    expect(toOriginalSpan(n, 2, 4)).toEqual({ start: 1, end: 3 });
  });
});

describe('toOriginalSpan', () => {
  it('clamps out-of-range and reversed spans', () => {
    const n = normalise('a\u200Bb');
    expect(toOriginalSpan(n, -5, 99)).toEqual({ start: 0, end: 3 });
    expect(toOriginalSpan(n, 2, 1)).toEqual({ start: 3, end: 3 });
    expect(toOriginalSpan(n, Number.NaN, 1)).toEqual({ start: 0, end: 1 });
    expect(toOriginalSpan(n, 1, 1)).toEqual({ start: 2, end: 2 });
  });

  it('maps any span of a view to the tightest original span holding everything its units come from', () => {
    fc.assert(
      fc.property(anyText, fc.nat(), fc.nat(), (s, a, b) => {
        const n = normalise(s);
        const start = Math.min(a, b) % (n.text.length + 1);
        const end = Math.max(start, Math.max(a, b) % (n.text.length + 1));
        const span = toOriginalSpan(n, start, end);
        expect(span.start).toBeLessThanOrEqual(span.end);
        expect(span.end).toBeLessThanOrEqual(s.length);
        if (start === end) return;
        expect(span).toEqual({ start: n.map[start], end: n.mapEnd[end - 1] });
        for (let k = start; k < end; k++) {
          expect(n.map[k] as number).toBeGreaterThanOrEqual(span.start);
          expect(n.mapEnd[k] as number).toBeLessThanOrEqual(span.end);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('spelledEmailView', () => {
  const cases: Array<[string, string]> = [
    ['john dot doe at example dot com', 'john.doe@example.com'],
    ['john [at] example [dot] com', 'john@example.com'],
    ['john(at)example(dot)com', 'john@example.com'],
    ['john AT example DOT com', 'john@example.com'],
    ['john at example.com', 'john@example.com'],
    ['john@example dot com', 'john@example.com'],
    ['john { at } mail [dot] example [dot] co [dot] uk', 'john@mail.example.co.uk'],
    ['john[@]example[.]com', 'john@example.com'],
  ];

  it.each(cases)('rewrites %j', (original, expected) => {
    const view = spelledEmailView(`write to ${original}, thanks`);
    expect(view?.text).toBe(`write to ${expected}, thanks`);
    expect(view?.changes).toEqual(['spelled email separators rewritten']);
    const m = EMAIL.exec(view?.text ?? '');
    expect(m?.[0]).toBe(expected);
    const span = toOriginalSpan(view as NormalisedText, m?.index ?? 0, (m?.index ?? 0) + expected.length);
    expect(`write to ${original}, thanks`.slice(span.start, span.end)).toBe(original);
    expectWellFormed(view as NormalisedText, `write to ${original}, thanks`);
  });

  it.each([
    'meet at noon',
    'meet at noon dot',
    'we meet at noon. Then dot the i',
    'look at example dot com',
    'contact me at example dot com',
    'at dot at',
    'john at example dot 123',
    'john atexample dot com',
    'john [at example dot com',
    'john@example.com',
    '',
  ])('leaves %j alone', (text) => {
    expect(spelledEmailView(text)).toBeUndefined();
  });

  it('rewrites only the separators of the email in a longer chain', () => {
    const text = 'email me at john at example dot com';
    expect(spelledEmailView(text)?.text).toBe('email me at john@example.com');
  });

  it('composes with normalise: spans map back through both views', () => {
    const original = 'mail jоhn [at] ｅｘａｍｐｌｅ [dot] com today'; // Cyrillic о, full-width domain
    const n = normalise(original);
    const view = spelledEmailView(n.text);
    const m = EMAIL.exec(view?.text ?? '');
    expect(m?.[0]).toBe('john@example.com');
    const span = throughBoth(view as NormalisedText, n, m?.index ?? 0, (m?.index ?? 0) + (m?.[0].length ?? 0));
    expect(original.slice(span.start, span.end)).toBe('jоhn [at] ｅｘａｍｐｌｅ [dot] com');
  });

  it('is well-formed and never throws for any string', () => {
    const spelled = fc.constantFrom(' at ', ' dot ', '[at]', '(dot)', '@', '.', 'john', 'example', 'com', ' ', 'x');
    fc.assert(
      fc.property(fc.array(fc.oneof(spelled, anyText), { maxLength: 12 }), (parts) => {
        const s = parts.join('');
        const view = spelledEmailView(s);
        if (view !== undefined) expectWellFormed(view, s);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('base64Candidates', () => {
  const secret = 'my ssn is 078-05-1120';

  it('finds base64 of text holding an SSN, with the span of the whole token', () => {
    const token = Buffer.from(secret).toString('base64');
    const text = `here: ${token} (done)`;
    expect(base64Candidates(text)).toEqual([{ start: 6, end: 6 + token.length, decoded: secret }]);
  });

  it('finds padded standard and unpadded URL-safe tokens', () => {
    const padded = Buffer.from('card 4111 1111 1111 1111?>').toString('base64'); // ends in '='
    const urlSafe = Buffer.from('token: sk_live_abcdefghijklmnop??>').toString('base64url'); // holds '_', no padding
    const found = base64Candidates(`a=${padded};b=${urlSafe}`);
    expect(found.map((c) => c.decoded)).toEqual(['card 4111 1111 1111 1111?>', 'token: sk_live_abcdefghijklmnop??>']);
    expect(found[0]).toMatchObject({ start: 2, end: 2 + padded.length });
  });

  it('ignores short tokens, binary payloads, bad padding, mixed alphabets and plain words', () => {
    const binary = Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 37 + 128) % 256)).toString('base64');
    const text = [
      Buffer.from('short').toString('base64'),
      binary,
      'bXkgc3NuIGlzIDA3OC0wNS0xMTIw===',
      'bXkgc3NuIGlzIDA3OC0wNS0xMTIwA',
      'bXkgc3NuIGlz+DA3OC0wNS0x_TIw',
      'internationalization',
      'AAAAAAAAAAAAAAAAAAAA',
    ].join(' ');
    expect(base64Candidates(text)).toEqual([]);
  });

  it('caps the number of candidates and the token size', () => {
    const token = Buffer.from(secret).toString('base64');
    expect(base64Candidates(Array.from({ length: 100 }, () => token).join(' '))).toHaveLength(64);
    const huge = Buffer.from('a'.repeat(60 * 1024)).toString('base64'); // 80 KiB of base64
    expect(base64Candidates(`${huge} ${token}`)).toEqual([{ start: huge.length + 1, end: huge.length + 1 + token.length, decoded: secret }]);
  });

  it('never throws and returns spans inside the text, for any string', () => {
    const b64 = fc.string({ minLength: 1, maxLength: 40 }).map((s) => Buffer.from(s).toString('base64'));
    fc.assert(
      fc.property(fc.array(fc.oneof(b64, anyText), { maxLength: 6 }), (parts) => {
        const s = parts.join(' ');
        for (const c of base64Candidates(s)) {
          expect(0 <= c.start && c.start < c.end && c.end <= s.length).toBe(true);
          expect(c.end - c.start).toBeGreaterThanOrEqual(12);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('linear time on 1 MB inputs (sanity bound, not a benchmark)', () => {
  const MB = 1024 * 1024;
  const fill = (chunk: string): string => chunk.repeat(Math.ceil(MB / chunk.length)).slice(0, MB);
  const within = (f: () => unknown, ms = 2000): void => {
    const t0 = performance.now();
    f();
    expect(performance.now() - t0).toBeLessThan(ms);
  };

  it('normalises 1 MB of mixed text', () => {
    const text = fill('Contact jоhn.doe\u200B@example.com, card ４１１１ １１１１ 𝟒𝟏, Привет мир, 𝐩𝐚𝐲 ٤٥ ok™\n');
    within(() => {
      const n = normalise(text);
      expect(n.text.length).toBeGreaterThan(MB / 2);
    });
  });

  it('handles one 1 MB word and 1 MB of distinct code points', () => {
    within(() => normalise(fill('pаypal')));
    within(() => normalise(Array.from({ length: MB / 2 }, (_, i) => String.fromCodePoint(0x4e00 + (i % 0x5000))).join('')));
  });

  it('scans 1 MB of adversarial spelled-email and base64 text', () => {
    within(() => spelledEmailView(fill('a dot ')));
    within(() => spelledEmailView(fill('a at b dot ')));
    within(() => spelledEmailView(fill('john [at] example [dot] com ')));
    within(() => base64Candidates(fill('A')));
    within(() => base64Candidates(fill('QUFBQUFBQUFBQUFBQUFB ')));
    within(() => base64Candidates(fill('bXkgc3NuIGlzIDA3OC0wNS0xMTIw=')));
  });
});
