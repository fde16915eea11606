/** The replies the scripts may send, and the ones they never send, refused with typed errors; the SCAN pattern. */
import { CorruptRecordError, StoreUnavailableError } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { parseDeleteReply, parseGetReply, parseReserveReply, parseWrittenReply } from '../src/replies.js';
import { scanPattern } from '../src/scan-pattern.js';

const b = (text: string) => Buffer.from(text);

describe('parseReserveReply', () => {
  it('reads the three replies of the reserve script', () => {
    expect(parseReserveReply([b('r')], 'tok')).toEqual({ kind: 'reserved', token: 'tok' });
    expect(parseReserveReply([b('f'), b('fp-\u00e9')], 'tok')).toEqual({
      kind: 'existing',
      state: 'in-flight',
      fingerprint: 'fp-\u00e9',
    });
    const response = Buffer.from([0, 255, 1]);
    const completed = parseReserveReply([b('c'), b('fp'), response], 'tok');
    expect(completed).toEqual({ kind: 'existing', state: 'completed', fingerprint: 'fp', response });
  });

  it('refuses what the script never sends', () => {
    expect(() => parseReserveReply(null, 't')).toThrow(StoreUnavailableError);
    expect(() => parseReserveReply(['r'], 't')).toThrow(StoreUnavailableError);
    expect(() => parseReserveReply([b('f')], 't')).toThrow(CorruptRecordError);
    expect(() => parseReserveReply([b('c'), b('fp'), null], 't')).toThrow(CorruptRecordError);
    expect(() => parseReserveReply([b('x'), b('fp'), b('')], 't')).toThrow(CorruptRecordError);
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
  it('reads nil as no record, and the fields of an in-flight and a completed record', () => {
    expect(parseGetReply(null)).toBeUndefined();
    expect(parseGetReply([b('f'), b('fp-\u00e9'), b('1000'), b('2000'), null, 3000])).toEqual({
      state: 'in-flight',
      fingerprint: 'fp-\u00e9',
      createdAt: new Date(1000),
      leaseExpiresAt: new Date(2000),
      expiresAt: new Date(3000),
      response: undefined,
    });
    const stored = Buffer.from([0, 255, 1]);
    const record = parseGetReply([b('c'), b('fp'), null, b('2000'), stored, 3000]);
    expect(record).toMatchObject({ state: 'completed', createdAt: undefined, leaseExpiresAt: undefined });
    // A copy of its own: writing to it changes nothing of the reply.
    (record?.response as Uint8Array)[0] = 9;
    expect(stored[0]).toBe(0);
    expect(record?.response).not.toBeInstanceOf(Buffer);
  });

  it('refuses what the script never sends, and records the store never writes', () => {
    expect(() => parseGetReply(undefined)).toThrow(StoreUnavailableError);
    expect(() => parseGetReply([b('f'), b('fp'), null, null, null, b('3000')])).toThrow(
      /get answered an unexpected reply/,
    );
    expect(() => parseGetReply([b('f'), null, null, b('1'), null, 3000])).toThrow(CorruptRecordError);
    expect(() => parseGetReply([b('c'), b('fp'), null, null, null, 3000])).toThrow(CorruptRecordError);
    expect(() => parseGetReply([b('f'), b('fp'), b('1.5'), b('1'), null, 3000])).toThrow(/creation time/);
    expect(() => parseGetReply([b('f'), b('fp'), null, b('soon'), null, 3000])).toThrow(/lease/);
    expect(() => parseGetReply([b('f'), b('fp'), null, b('1'), null, -1])).toThrow(/no retention/);
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
