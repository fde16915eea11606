/**
 * Canonical JSON text for fingerprints: object members sorted by key, insignificant whitespace removed,
 * strings re-escaped the way JSON.stringify does. Number literals are kept exactly as sent: JSON.parse would
 * turn 12345678901234567890 and 12345678901234567891 into the same double, and two different amounts must never
 * share a fingerprint. Duplicate member names are all kept (sorted stably), so differing duplicates differ.
 */

const WS = new Uint8Array(128);
WS[0x20] = WS[0x09] = WS[0x0a] = WS[0x0d] = 1;

class NotJson extends Error {}

/** Returns the canonical form of `text`, or `undefined` when `text` is not one valid JSON value. */
export function canonicalJson(text: string): string | undefined {
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

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** One object member: its decoded name (the sort key) and its canonical text. */
interface Member {
  readonly key: string;
  readonly text: string;
}

const byKey = (a: Member, b: Member) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The names and texts of the members of the object being read at each depth, in two arrays reused from object to
 * object (no array and no member object per object read): at most one object per depth is being read at a time
 * (a member's value is one level deeper), and no read reenters another. Their slots are emptied after each
 * object, so that nothing of a body is kept.
 */
const keysAt: string[][] = [];
const textsAt: string[][] = [];

function pooled(pool: string[][], depth: number): string[] {
  let array = pool[depth];
  if (array === undefined) {
    array = [];
    pool[depth] = array;
  }
  return array;
}

/** Members past which an object's arrays are dropped after it rather than kept for the next. */
const MAX_POOLED = 1024;

/**
 * Sorts the first `n` members by name, stably (duplicate names keep their order): by insertion when there are
 * few.
 */
function sortMembers(keys: string[], texts: string[], n: number): void {
  if (n > 16) {
    const members: Member[] = [];
    for (let i = 0; i < n; i++) members.push({ key: keys[i] as string, text: texts[i] as string });
    members.sort(byKey);
    for (let i = 0; i < n; i++) {
      keys[i] = (members[i] as Member).key;
      texts[i] = (members[i] as Member).text;
    }
    return;
  }
  for (let i = 1; i < n; i++) {
    const key = keys[i] as string;
    const text = texts[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      texts[j + 1] = texts[j] as string;
      j--;
    }
    keys[j + 1] = key;
    texts[j + 1] = text;
  }
}

class Parser {
  i = 0;
  /** The decoded value of the string {@link string} last read. */
  decoded = '';
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
    if (c === 0x22) return this.string(false);
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x74) return this.literal('true');
    if (c === 0x66) return this.literal('false');
    if (c === 0x6e) return this.literal('null');
    throw new NotJson();
  }

  literal(word: string): string {
    if (!this.s.startsWith(word, this.i)) throw new NotJson();
    this.i += word.length;
    return word;
  }

  /** Returns the canonical text of the string at `i`; with `decode`, also sets {@link decoded}. */
  string(decode: boolean): string {
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
    if (!escaped) {
      if (decode) this.decoded = raw.slice(1, -1);
      return raw;
    }
    const decoded = JSON.parse(raw) as string;
    if (decode) this.decoded = decoded;
    return JSON.stringify(decoded);
  }

  /** A number literal, as `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` would match it. */
  number(): string {
    const s = this.s;
    const start = this.i;
    let j = start;
    if (s.charCodeAt(j) === 0x2d) j++;
    const first = s.charCodeAt(j);
    if (first === 0x30) j++;
    else if (isDigit(first)) {
      j++;
      while (isDigit(s.charCodeAt(j))) j++;
    } else throw new NotJson();
    if (s.charCodeAt(j) === 0x2e && isDigit(s.charCodeAt(j + 1))) {
      j += 2;
      while (isDigit(s.charCodeAt(j))) j++;
    }
    const e = s.charCodeAt(j);
    if (e === 0x65 || e === 0x45) {
      let k = j + 1;
      const sign = s.charCodeAt(k);
      if (sign === 0x2b || sign === 0x2d) k++;
      if (isDigit(s.charCodeAt(k))) {
        j = k + 1;
        while (isDigit(s.charCodeAt(j))) j++;
      }
    }
    this.i = j;
    return s.slice(start, j);
  }

  array(depth: number): string {
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return '[]';
    }
    let out = '[';
    for (;;) {
      this.ws();
      out += this.value(depth + 1);
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x5d) return `${out}]`;
      if (c !== 0x2c) throw new NotJson();
      out += ',';
    }
  }

  object(depth: number): string {
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return '{}';
    }
    const keys = pooled(keysAt, depth);
    const texts = pooled(textsAt, depth);
    let n = 0;
    let sorted = true;
    let last = '';
    try {
      for (;;) {
        this.ws();
        if (this.s.charCodeAt(this.i) !== 0x22) throw new NotJson();
        const keyText = this.string(true);
        const key = this.decoded;
        this.ws();
        if (this.s.charCodeAt(this.i++) !== 0x3a) throw new NotJson();
        this.ws();
        if (n > 0 && key < last) sorted = false;
        last = key;
        const text = `${keyText}:${this.value(depth + 1)}`;
        keys[n] = key;
        texts[n] = text;
        n++;
        this.ws();
        const c = this.s.charCodeAt(this.i++);
        if (c === 0x7d) break;
        if (c !== 0x2c) throw new NotJson();
      }
      if (!sorted) sortMembers(keys, texts, n);
      let out = '{';
      for (let m = 0; m < n; m++) out += m === 0 ? (texts[m] as string) : `,${texts[m] as string}`;
      return `${out}}`;
    } finally {
      // Nothing of the body is kept between reads; the arrays keep their room, unless an object was large.
      if (n > MAX_POOLED) {
        keysAt[depth] = [];
        textsAt[depth] = [];
      } else {
        for (let m = 0; m < n; m++) {
          keys[m] = '';
          texts[m] = '';
        }
      }
    }
  }
}
