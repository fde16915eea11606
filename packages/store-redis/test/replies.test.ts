/** The replies the scripts may send, and the ones they never send, refused with typed errors; the SCAN pattern. */
import { CorruptRecordError, StoreUnavailableError } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { parseDeleteReply, parseGetReply, parseReserveReply, parseWrittenReply } from '../src/replies.js';
import { scanPattern } from '../src/scan-pattern.js';

const b = (text: string) => Buffer.from(text);

describe('parseReserveReply', () => {
  const completed = Buffer.concat([b('c|1000|5|fp-\u00e9'), Buffer.from([0, 255, 1])]);

  it('reads nil as reserved, a completed record as a replay, the caller own record as reserved', () => {
    for (const fromScript of [false, true]) {
      expect(parseReserveReply(null, 'tok', fromScript)).toEqual({ kind: 'reserved', token: 'tok' });
      expect(parseReserveReply(completed, 'tok', fromScript)).toEqual({
        kind: 'existing',
        state: 'completed',
        fingerprint: 'fp-\u00e9',
        response: Buffer.from([0, 255, 1]),
      });
      expect(parseReserveReply(b('n|tok|60000|30000|fp'), 'tok', fromScript)).toEqual({
        kind: 'reserved',
        token: 'tok',
      });
      expect(parseReserveReply(b('f|tok|1|2|fp'), 'tok', fromScript)).toMatchObject({ kind: 'reserved' });
    }
  });

  it('from the native reserve, another holder record or an unknown value is left to the script; from the script, an in-flight record is one whose lease runs', () => {
    expect(parseReserveReply(b('n|other|60000|30000|fp'), 'tok', false)).toBeUndefined();
    expect(parseReserveReply(b('f|tok2|1|2|fp'), 'tok', false)).toBeUndefined();
    expect(parseReserveReply(b('x|junk'), 'tok', false)).toBeUndefined();
    expect(parseReserveReply(b('n|other|60000|30000|fp-\u00e9'), 'tok', true)).toEqual({
      kind: 'existing',
      state: 'in-flight',
      fingerprint: 'fp-\u00e9',
    });
  });

  it('refuses what neither ever sends, and a damaged completed record', () => {
    expect(() => parseReserveReply(['r'], 't', false)).toThrow(StoreUnavailableError);
    expect(() => parseReserveReply(1, 't', true)).toThrow(StoreUnavailableError);
    expect(() => parseReserveReply(b('x|junk'), 't', true)).toThrow(StoreUnavailableError);
    expect(() => parseReserveReply(b('f|other|1'), 't', true)).toThrow(CorruptRecordError);
    for (const damaged of ['c|', 'c|1000|', 'c|x|2|fp', 'c|1000|9|fp']) {
      expect(() => parseReserveReply(b(damaged), 't', false), damaged).toThrow(CorruptRecordError);
    }
  });
});

describe('parseWrittenReply', () => {
  it('reads 1 and 0, refuses anything else', () => {
    expect(parseWrittenReply('complete', 1)).toBe(true);
    expect(parseWrittenReply('complete', 0)).toBe(false);
    expect(() => parseWrittenReply('complete', '1')).toThrow(StoreUnavailableError);
    expect(() => parseWrittenReply('complete', null)).toThrow(/complete answered an unexpected reply/);
  });
});

describe('parseDeleteReply', () => {
  it('reads 1 deleted, 2 kept in flight, 0 no record; refuses anything else', () => {
    expect(parseDeleteReply(1)).toBe('deleted');
    expect(parseDeleteReply(2)).toBe('in-flight');
    expect(parseDeleteReply(0)).toBe('not-found');
    expect(() => parseDeleteReply(3)).toThrow(StoreUnavailableError);
    expect(() => parseDeleteReply('1')).toThrow(/delete answered an unexpected reply/);
    expect(() => parseDeleteReply(null)).toThrow(StoreUnavailableError);
  });
});

describe('parseGetReply', () => {
  it('reads nil as no record, and the instants of an in-flight record of either form and of a completed one', () => {
    expect(parseGetReply(null)).toBeUndefined();
    expect(parseGetReply([b('f|tok|1000|2000|fp-\u00e9'), 3000])).toEqual({
      state: 'in-flight',
      fingerprint: 'fp-\u00e9',
      createdAt: new Date(1000),
      leaseExpiresAt: new Date(2000),
      expiresAt: new Date(3000),
      response: undefined,
    });
    // Written by the native reserve: created at = the key's expiry - px, the lease leaseMs later.
    expect(parseGetReply([b('n|tok|60000|30000|fp'), 100_000])).toMatchObject({
      createdAt: new Date(40_000),
      leaseExpiresAt: new Date(70_000),
      expiresAt: new Date(100_000),
    });
    const stored = Buffer.concat([b('c|1000|2|fp'), Buffer.from([0, 255, 1])]);
    const record = parseGetReply([stored, 3000]);
    expect(record).toMatchObject({
      state: 'completed',
      createdAt: new Date(1000),
      leaseExpiresAt: undefined,
    });
    expect([...(record?.response ?? [])]).toEqual([0, 255, 1]);
    // A copy of its own: writing to it changes nothing of the reply.
    (record?.response as Uint8Array)[0] = 9;
    expect(stored[11]).toBe(0);
    expect(record?.response).not.toBeInstanceOf(Buffer);
  });

  it('refuses what the script never sends, and records the store never writes', () => {
    expect(() => parseGetReply(undefined)).toThrow(StoreUnavailableError);
    expect(() => parseGetReply([b('f|t|1|2|fp'), b('3000')])).toThrow(/get answered an unexpected reply/);
    expect(() => parseGetReply([b('f|t|1|2'), 3000])).toThrow(CorruptRecordError);
    expect(() => parseGetReply([b('f|t|1.5|2|fp'), 3000])).toThrow(CorruptRecordError);
    expect(() => parseGetReply([b('n|t|soon|2|fp'), 3000])).toThrow(CorruptRecordError);
    expect(() => parseGetReply([b('x|junk'), 3000])).toThrow(CorruptRecordError);
    expect(() => parseGetReply([b('c|1000|5|fp'), 3000])).toThrow(CorruptRecordError);
    expect(() => parseGetReply([b('f|t|1|2|fp'), -1])).toThrow(/no retention/);
  });
});

describe('scanPattern', () => {
  it('escapes every byte Redis globs give a meaning (* ? [ ] \\) and ends with *', () => {
    expect(scanPattern('idempo:').toString()).toBe('idempo:*');
    expect(scanPattern('a*b?c[d]e\\f:').toString()).toBe('a\\*b\\?c\\[d\\]e\\\\f:*');
    expect(scanPattern(Buffer.from([0xff, 0x2a])).equals(Buffer.from([0xff, 0x5c, 0x2a, 0x2a]))).toBe(true);
    expect(scanPattern('é*').equals(Buffer.from('é\\**'))).toBe(true);
    expect(scanPattern('').toString()).toBe('*');
  });
});
