/**
 * Multipart bodies are fingerprinted part by part (issue 15.9, BEHAVIOUR D26): a retry whose client drew a new
 * boundary is the same request; any change a handler could see in a part is a different one; a body that is
 * not multipart with its declared boundary is hashed as its bytes, as before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeFingerprint, type FingerprintInput } from '../src/fingerprint.js';
import { sha256Segments } from '../src/hash.js';
import { multipartType, parseMultipart } from '../src/multipart.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (s: string) => encoder.encode(s);

interface Part {
  readonly name?: string;
  readonly filename?: string;
  readonly type?: string;
  readonly headers?: readonly string[];
  /** The whole Content-Disposition value, instead of one made of `name` and `filename`. */
  readonly disposition?: string;
  readonly content: string | Uint8Array;
}

interface Layout {
  readonly preamble?: string;
  readonly epilogue?: string;
  /** Transport padding after each boundary (spaces and tabs, RFC 2046). */
  readonly padding?: string;
}

const concat = (chunks: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
};

/** A multipart/form-data body as RFC 7578 writes it. */
function form(parts: readonly Part[], boundary: string, layout: Layout = {}): Uint8Array {
  const pad = layout.padding ?? '';
  const chunks: Uint8Array[] = [bytes(layout.preamble === undefined ? '' : `${layout.preamble}\r\n`)];
  for (const part of parts) {
    let head = `--${boundary}${pad}\r\n`;
    if (part.disposition !== undefined) head += `Content-Disposition: ${part.disposition}\r\n`;
    else if (part.name !== undefined) {
      head += `Content-Disposition: form-data; name="${part.name}"`;
      if (part.filename !== undefined) head += `; filename="${part.filename}"`;
      head += '\r\n';
    }
    if (part.type !== undefined) head += `Content-Type: ${part.type}\r\n`;
    for (const line of part.headers ?? []) head += `${line}\r\n`;
    chunks.push(bytes(`${head}\r\n`), typeof part.content === 'string' ? bytes(part.content) : part.content);
    chunks.push(bytes('\r\n'));
  }
  chunks.push(bytes(`--${boundary}--${pad}`));
  if (layout.epilogue !== undefined) chunks.push(bytes(`\r\n${layout.epilogue}`));
  return concat(chunks);
}

const BOUNDARY_A = '----formdata-undici-012345678901';
const BOUNDARY_B = '----WebKitFormBoundary7MA4YWxkTrZu0gW';

const fp = (body: Uint8Array, boundary: string, input: Partial<FingerprintInput> = {}) =>
  computeFingerprint({
    method: 'POST',
    path: '/forms',
    contentType: `multipart/form-data; boundary=${boundary}`,
    body,
    ...input,
  });
/** The fingerprint of the same bytes hashed as bytes (what every body got before 15.9). */
const asBytes = (body: Uint8Array) =>
  computeFingerprint({ method: 'POST', path: '/forms', contentType: 'application/octet-stream', body });

const FILE = Uint8Array.from({ length: 600 }, (_, i) => (i * 31 + 7) & 0xff);
const PARTS: readonly Part[] = [
  { name: 'title', content: 'holiday' },
  { name: 'photo', filename: 'a.jpg', type: 'image/jpeg', content: FILE },
  { name: 'note', type: 'text/plain; charset=utf-8', content: 'line 1\r\nline 2' },
];

describe('multipart fingerprint [15.9]', () => {
  it('D26 the same parts under two boundaries are the same request [15.9]', () => {
    const a = form(PARTS, BOUNDARY_A);
    const b = form(PARTS, BOUNDARY_B);
    expect(Buffer.from(a)).not.toEqual(Buffer.from(b));
    expect(fp(a, BOUNDARY_A)).toBe(fp(b, BOUNDARY_B));
    // A quoted boundary parameter, other parameters and another case of the media type change nothing.
    expect(
      fp(b, BOUNDARY_B, { contentType: `Multipart/Form-Data; charset=x; boundary="${BOUNDARY_B}"` }),
    ).toBe(fp(a, BOUNDARY_A));
    // Header field names in another case, other spacing, a token instead of a quoted name.
    const respelled: Part[] = [
      { disposition: 'form-data;name=title', content: 'holiday' },
      { ...(PARTS[1] as Part), headers: [] },
      PARTS[2] as Part,
    ];
    const text = form(respelled, BOUNDARY_B);
    const lowered = Buffer.from(text)
      .toString('latin1')
      .replaceAll('Content-Disposition: ', 'content-disposition:')
      .replace('Content-Type: image/jpeg', 'CONTENT-TYPE: \t image/jpeg \t');
    expect(fp(Buffer.from(lowered, 'latin1'), BOUNDARY_B)).toBe(fp(a, BOUNDARY_A));
  });

  it('D26 a FormData the Fetch API encodes twice (a new boundary each time) is the same request [15.9]', async () => {
    const data = () => {
      const formData = new FormData();
      formData.append('title', 'holiday é');
      formData.append('photo', new Blob([FILE], { type: 'image/jpeg' }), 'a "b".jpg');
      formData.append('photo', new Blob([]), 'empty.bin');
      return formData;
    };
    const encode = async () => {
      const response = new Response(data());
      return {
        contentType: response.headers.get('content-type') ?? '',
        body: new Uint8Array(await response.arrayBuffer()),
      };
    };
    const first = await encode();
    const second = await encode();
    expect(first.contentType).not.toBe(second.contentType);
    const of = (x: { contentType: string; body: Uint8Array }) =>
      computeFingerprint({ method: 'POST', path: '/forms', ...x });
    expect(of(first)).toBe(of(second));
    expect(of(first)).not.toBe(asBytes(first.body));
  });

  it('D26 a changed byte, name, filename, part content-type or part order is a different request, whatever the boundary [15.9]', () => {
    const base = fp(form(PARTS, BOUNDARY_A), BOUNDARY_A);
    expect(fp(form(PARTS, BOUNDARY_B), BOUNDARY_B)).toBe(base);
    const changed = (edit: (parts: Part[]) => void): string => {
      const parts = PARTS.map((part) => ({ ...part }));
      edit(parts);
      return fp(form(parts, BOUNDARY_B), BOUNDARY_B);
    };
    const flipped = FILE.slice();
    flipped[300] = (flipped[300] as number) ^ 1;
    const variants = {
      byte: changed((p) => {
        p[1] = { ...(p[1] as Part), content: flipped };
      }),
      'one byte more': changed((p) => {
        p[0] = { ...(p[0] as Part), content: 'holiday ' };
      }),
      name: changed((p) => {
        p[0] = { ...(p[0] as Part), name: 'Title' };
      }),
      filename: changed((p) => {
        p[1] = { ...(p[1] as Part), filename: 'b.jpg' };
      }),
      'no filename': changed((p) => {
        p[1] = { name: 'photo', type: 'image/jpeg', content: FILE };
      }),
      'empty filename': changed((p) => {
        p[1] = { ...(p[1] as Part), filename: '' };
      }),
      'content-type': changed((p) => {
        p[1] = { ...(p[1] as Part), type: 'image/png' };
      }),
      'content-type parameter': changed((p) => {
        p[2] = { ...(p[2] as Part), type: 'text/plain; charset=latin1' };
      }),
      'no content-type': changed((p) => {
        p[2] = { name: 'note', content: 'line 1\r\nline 2' };
      }),
      'another disposition parameter': changed((p) => {
        p[0] = { ...(p[0] as Part), disposition: `form-data; name="title"; filename*=UTF-8''x` };
      }),
      'another disposition type': changed((p) => {
        p[0] = { ...(p[0] as Part), disposition: 'attachment; name="title"' };
      }),
      'another header field': changed((p) => {
        p[0] = { ...(p[0] as Part), headers: ['Content-Transfer-Encoding: base64'] };
      }),
      order: changed((p) => {
        p.reverse();
      }),
      'a part less': changed((p) => {
        p.pop();
      }),
      'content moved between parts': changed((p) => {
        p[0] = { name: 'title', content: 'holida' };
        p[2] = { name: 'note', type: 'text/plain; charset=utf-8', content: 'yline 1\r\nline 2' };
      }),
      'another media type': fp(form(PARTS, BOUNDARY_B), BOUNDARY_B, {
        contentType: `multipart/mixed; boundary=${BOUNDARY_B}`,
      }),
    };
    for (const [what, value] of Object.entries(variants)) expect(value, what).not.toBe(base);
    expect(new Set(Object.values(variants)).size).toBe(Object.keys(variants).length);
  });

  it('D26 the preamble, the epilogue and transport padding are not part of the request [15.9]', () => {
    const base = fp(form(PARTS, BOUNDARY_A), BOUNDARY_A);
    const layouts: Layout[] = [
      { preamble: 'This is a multi-part message in MIME format.' },
      { epilogue: 'trailing text\r\n--not-a-boundary\r\n' },
      { preamble: '', epilogue: '' },
      { padding: ' \t ' },
    ];
    for (const layout of layouts)
      expect(fp(form(PARTS, BOUNDARY_B, layout), BOUNDARY_B), JSON.stringify(layout)).toBe(base);
  });

  it('the CRLF before a delimiter belongs to the delimiter; a boundary not at a line start is content (RFC 2046) [15.9]', () => {
    const parse = (parts: readonly Part[], boundary = BOUNDARY_B) =>
      parseMultipart(form(parts, boundary), boundary)?.map((part) => decoder.decode(part.content));
    expect(parse([{ name: 'a', content: 'x' }])).toEqual(['x']);
    expect(parse([{ name: 'a', content: 'x\r\n' }])).toEqual(['x\r\n']);
    expect(parse([{ name: 'a', content: '' }])).toEqual(['']);
    expect(parse([{ name: 'a', content: '\r\n' }])).toEqual(['\r\n']);
    // The boundary text inside a line, after a bare LF, or a dash-line that is not the boundary: content.
    const tricky = `x--${BOUNDARY_B}\n--${BOUNDARY_B}\r\n--${BOUNDARY_B.slice(0, -1)}\r\n--\r\n`;
    expect(parse([{ name: 'a', content: tricky }])).toEqual([tricky]);
    expect(fp(form([{ name: 'a', content: 'x' }], BOUNDARY_A), BOUNDARY_A)).not.toBe(
      fp(form([{ name: 'a', content: 'x\r\n' }], BOUNDARY_B), BOUNDARY_B),
    );
    expect(fp(form([{ name: 'a', content: tricky }], BOUNDARY_A), BOUNDARY_A)).toBe(
      fp(form([{ name: 'a', content: tricky }], BOUNDARY_B), BOUNDARY_B),
    );
    // A part with no header fields at all (multipart/mixed) opens with the CRLF of its empty header block.
    const mixed = bytes(`--${BOUNDARY_B}\r\n\r\nbare\r\n--${BOUNDARY_B}--`);
    expect(parseMultipart(mixed, BOUNDARY_B)?.map((p) => [p.disposition, decoder.decode(p.content)])).toEqual(
      [[undefined, 'bare']],
    );
    // Line ends of bare LF are not CRLF: such a body is not multipart, it is hashed as bytes.
    const lf = decoder.decode(form(PARTS.slice(0, 1), BOUNDARY_B)).replaceAll('\r\n', '\n');
    expect(parseMultipart(bytes(lf), BOUNDARY_B)).toBeUndefined();
    expect(fp(bytes(lf), BOUNDARY_B)).toBe(asBytes(bytes(lf)));
  });

  it('a body that is not multipart with its declared boundary is hashed as its bytes, never throws [15.9]', () => {
    const good = form(PARTS, BOUNDARY_B);
    const text = decoder.decode(form(PARTS.slice(0, 1), BOUNDARY_B));
    const malformed: Record<string, Uint8Array> = {
      'another boundary': form(PARTS, BOUNDARY_A),
      'no close delimiter (truncated)': good.subarray(0, good.length - 10),
      'nothing after the first boundary': bytes(`--${BOUNDARY_B}`),
      'more on a boundary line': bytes(text.replace(`--${BOUNDARY_B}\r\n`, `--${BOUNDARY_B}x\r\n`)),
      'a header field without a colon': bytes(text.replace('Content-Disposition:', 'Content-Disposition')),
      'a folded header field': bytes(text.replace('; name=', ';\r\n name=')),
      'no end of the header block': bytes(`--${BOUNDARY_B}\r\nContent-Type: a/b\r\n--${BOUNDARY_B}--`),
      'an empty part': bytes(`--${BOUNDARY_B}\r\n\r\n--${BOUNDARY_B}--`),
      'a name given twice': bytes(text.replace('name="title"', 'name="title"; name="other"')),
      'Content-Disposition twice': bytes(
        text.replace('\r\n\r\n', '\r\nContent-Disposition: form-data; name="x"\r\n\r\n'),
      ),
      'Content-Type twice': bytes(
        text.replace('\r\n\r\n', '\r\nContent-Type: a/b\r\ncontent-type: a/c\r\n\r\n'),
      ),
      'an unterminated quoted name': bytes(text.replace('name="title"', 'name="title')),
      'a parameter without a value': bytes(text.replace('name="title"', 'name')),
      'a bad disposition type': bytes(text.replace('form-data;', 'form data;')),
      'random bytes': FILE,
    };
    for (const [what, body] of Object.entries(malformed)) {
      expect(parseMultipart(body, BOUNDARY_B), what).toBeUndefined();
      expect(fp(body, BOUNDARY_B), what).toBe(asBytes(body));
    }
    // Content types that declare no usable boundary: the body is bytes, however well formed.
    for (const contentType of [
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary=""',
      `multipart/form-data; boundary=${BOUNDARY_B}; boundary=${BOUNDARY_B}`,
      `multipart/form-data; boundary="${BOUNDARY_B}`,
      `multipart/form-data; boundary="${'x'.repeat(71)}"`,
      'multipart/form-data; boundary="ends with space "',
      `multipart/form-data boundary=${BOUNDARY_B}`,
      `text/plain; boundary=${BOUNDARY_B}`,
      `multipart/; boundary=${BOUNDARY_B}`,
    ]) {
      expect(multipartType(contentType), contentType).toBeUndefined();
      expect(fp(good, BOUNDARY_B, { contentType }), contentType).toBe(asBytes(good));
    }
    // The control: the same body with its own boundary is read as parts.
    expect(fp(good, BOUNDARY_B)).not.toBe(asBytes(good));
    expect(fp(good, BOUNDARY_B)).toBe(fp(form(PARTS, BOUNDARY_A), BOUNDARY_A));
  });

  it('keeps its pinned digest: records stored by this version must still match later [15.9]', () => {
    expect(fp(form(PARTS, BOUNDARY_A), BOUNDARY_A)).toBe('06IFjlezy5kOzd-rz996SX1LPmagC3RqY5EqotGWvbY');
  });

  it('hashes the same digest on the pure-JS fallback [15.9]', () => {
    const segments = ['aé', FILE, '', new Uint8Array(0), 'z'];
    expect(sha256Segments(segments, true)).toBe(sha256Segments(segments, false));
  });
});

// Part fields without quotes, CR, LF (RFC 7578 clients percent-encode those); contents of any bytes, with
// CRLFs and dashes likely.
const field = fc.string({ unit: fc.constantFrom('a', 'b', 'é', ' ', '-', '.', '\\x', '日'), maxLength: 8 });
const content = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .array(fc.constantFrom('\r\n', '--', '-', 'x', '\r', '\n', ' '), { maxLength: 24 })
    .map((chunks) => bytes(chunks.join(''))),
);
const partArb: fc.Arbitrary<Part> = fc.record(
  {
    name: field,
    filename: field,
    type: fc.constantFrom('text/plain', 'application/octet-stream', 'image/png; q=1'),
    content,
  },
  { requiredKeys: ['name', 'content'] },
);
const boundaryArb = fc.string({
  unit: fc.constantFrom(..."abcXYZ019'()+_,-./:=? "),
  minLength: 1,
  maxLength: 70,
});
const contains = (hay: Uint8Array, needle: Uint8Array): boolean =>
  Buffer.from(hay).includes(Buffer.from(needle));

describe('multipart fingerprint, properties [15.9]', () => {
  it('D26 random parts under any two valid boundaries: the parts read back as built, and one fingerprint [15.9]', () => {
    fc.assert(
      fc.property(fc.array(partArb, { maxLength: 5 }), boundaryArb, boundaryArb, (parts, b1, b2) => {
        for (const boundary of [b1, b2]) {
          fc.pre(!boundary.endsWith(' '));
          const delimiter = bytes(`\r\n--${boundary}`);
          fc.pre(
            parts.every((part) => !contains(concat([bytes('\r\n'), part.content as Uint8Array]), delimiter)),
          );
        }
        const quoted = (b: string) => `multipart/form-data; boundary="${b}"`;
        const one = form(parts, b1);
        const read = parseMultipart(one, b1);
        expect(read?.map((p) => Buffer.from(p.content))).toEqual(
          parts.map((p) => Buffer.from(typeof p.content === 'string' ? bytes(p.content) : p.content)),
        );
        expect(fp(one, b1, { contentType: quoted(b1) })).toBe(
          fp(form(parts, b2), b2, { contentType: quoted(b2) }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('D26 two different part lists are two fingerprints, the same list under two boundaries one [15.9]', () => {
    fc.assert(
      fc.property(
        fc.array(partArb, { maxLength: 3 }),
        fc.array(partArb, { maxLength: 3 }),
        boundaryArb,
        boundaryArb,
        (a, b, b1, b2) => {
          for (const boundary of [b1, b2]) {
            fc.pre(!boundary.endsWith(' '));
            const delimiter = bytes(`\r\n--${boundary}`);
            fc.pre(
              [...a, ...b].every(
                (part) => !contains(concat([bytes('\r\n'), part.content as Uint8Array]), delimiter),
              ),
            );
          }
          const canonical = (parts: readonly Part[]) =>
            JSON.stringify(
              parts.map((p) => [p.name, p.filename, p.type, Buffer.from(p.content).toString('hex')]),
            );
          fc.pre(canonical(a) !== canonical(b));
          const of = (parts: readonly Part[], boundary: string) =>
            fp(form(parts, boundary), boundary, {
              contentType: `multipart/form-data; boundary="${boundary}"`,
            });
          expect(of(a, b1)).toBe(of(a, b2));
          expect(of(a, b1)).not.toBe(of(b, b2));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws, and a body that does not parse is hashed as its bytes, for any bytes around a boundary [15.9]', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(
              '--b',
              '\r\n',
              '--',
              'Content-Disposition: form-data; name="x"',
              ': ',
              '"',
              ';',
              '\r\n\r\n',
            ),
            fc.string({ maxLength: 4 }),
          ),
          { maxLength: 30 },
        ),
        (chunks) => {
          const body = bytes(chunks.join(''));
          const parsed = parseMultipart(body, 'b');
          const digest = fp(body, 'b');
          if (parsed === undefined) expect(digest).toBe(asBytes(body));
          else expect(digest).not.toBe(asBytes(body));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
