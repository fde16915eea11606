/**
 * The canonical JSON of @idempo/core 0.x before its single-pass rewrite, kept as the oracle of a differential
 * test: fingerprints must not change, so the rewrite must give the same text (or none) for every input.
 */
const WS = new Uint8Array(128);
WS[0x20] = WS[0x09] = WS[0x0a] = WS[0x0d] = 1;

class NotJson extends Error {}

/** Returns the canonical form of `text`, or `undefined` when `text` is not one valid JSON value. */
export function referenceCanonicalJson(text: string): string | undefined {
  const p = new Parser(text);
  try {
    p.ws();
    const out = p.value(0);
    p.ws();
    return p.i === text.length ? out : undefined;
  } catch (e) {
    if (e instanceof NotJson || e instanceof SyntaxError || e instanceof RangeError) return undefined;
    throw e;
  }
}

const MAX_DEPTH = 512;

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    const s = this.s;
    while (this.i < s.length && WS[s.charCodeAt(this.i)] === 1) this.i++;
  }

  value(depth: number): string {
    if (depth > MAX_DEPTH) throw new NotJson();
    const c = this.s.charCodeAt(this.i);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return this.string()[0];
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const lit of ['true', 'false', 'null']) {
      if (this.s.startsWith(lit, this.i)) {
        this.i += lit.length;
        return lit;
      }
    }
    throw new NotJson();
  }

  /** Returns [canonical text, decoded value]. */
  string(): [string, string] {
    const s = this.s;
    const start = this.i;
    let escaped = false;
    let j = start + 1;
    for (;;) {
      if (j >= s.length) throw new NotJson();
      const c = s.charCodeAt(j);
      if (c === 0x22) break;
      if (c < 0x20) throw new NotJson();
      if (c === 0x5c) {
        escaped = true;
        j += 2;
      } else j++;
    }
    this.i = j + 1;
    const raw = s.slice(start, j + 1);
    if (!escaped) return [raw, raw.slice(1, -1)];
    const decoded = JSON.parse(raw) as string;
    return [JSON.stringify(decoded), decoded];
  }

  number(): string {
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = this.i;
    const found = m.exec(this.s);
    if (!found) throw new NotJson();
    this.i += found[0].length;
    return found[0];
  }

  array(depth: number): string {
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return '[]';
    }
    const items: string[] = [];
    for (;;) {
      this.ws();
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x5d) return `[${items.join(',')}]`;
      if (c !== 0x2c) throw new NotJson();
    }
  }

  object(depth: number): string {
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return '{}';
    }
    const members: { key: string; text: string }[] = [];
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) throw new NotJson();
      const [keyText, key] = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i++) !== 0x3a) throw new NotJson();
      this.ws();
      members.push({ key, text: `${keyText}:${this.value(depth + 1)}` });
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x7d) break;
      if (c !== 0x2c) throw new NotJson();
    }
    members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return `{${members.map((m) => m.text).join(',')}}`;
  }
}
