/** The replies the scripts may send, and the ones they never send, refused with typed errors. */
import { CorruptRecordError, StoreUnavailableError } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { parseReserveReply, parseWrittenReply } from '../src/replies.js';

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
