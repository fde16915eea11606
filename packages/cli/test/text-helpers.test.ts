import { StoreUnavailableError } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { describeError, hintFor } from '../src/describe-error.js';
import { formatDuration, instant, relativeTime } from '../src/durations.js';
import { maskSecrets, maskUrl } from '../src/mask-url.js';

describe('durations', () => {
  it('in their two largest units', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(-59_000)).toBe('59 s');
    expect(formatDuration(3 * 60_000 + 20_000)).toBe('3 min');
    expect(formatDuration(5 * 3_600_000)).toBe('5 h');
    expect(formatDuration(5 * 3_600_000 + 2 * 60_000)).toBe('5 h 2 min');
    expect(formatDuration(72 * 3_600_000)).toBe('3 d');
    expect(formatDuration(49 * 3_600_000)).toBe('2 d 1 h');
  });

  it('relative to now, and as ISO with its relative time', () => {
    const now = new Date('2026-11-23T12:00:00.000Z');
    expect(relativeTime(new Date('2026-11-23T12:00:12.000Z'), now)).toBe('in 12 s');
    expect(relativeTime(new Date('2026-11-23T11:57:00.000Z'), now)).toBe('3 min ago');
    expect(instant(new Date('2026-11-24T12:00:00.000Z'), now)).toBe('2026-11-24T12:00:00.000Z (in 24 h)');
  });
});

describe('maskUrl and maskSecrets', () => {
  it('masks the password of a URL, and leaves one without a password as it is', () => {
    expect(maskUrl('redis://:s3cret@cache:6379/0')).toBe('redis://:***@cache:6379/0');
    expect(maskUrl('postgres://app:p%40ss@db:5432/app?sslmode=require')).toBe(
      'postgres://app:***@db:5432/app?sslmode=require',
    );
    expect(maskUrl('mongodb+srv://u:pw@cluster0.example.net/app')).toBe(
      'mongodb+srv://u:***@cluster0.example.net/app',
    );
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskUrl('not a url //user:secret@host')).toBe('not a url //user:***@host');
  });

  it('masks the URL and its password, written or decoded, in a driver message', () => {
    const url = 'postgres://app:p%40ssword@db:5432/app';
    expect(maskSecrets(`cannot connect to ${url}`, url)).toBe(
      'cannot connect to postgres://app:***@db:5432/app',
    );
    expect(maskSecrets('password "p@ssword" refused', url)).toBe('password "***" refused');
    expect(maskSecrets('password "p%40ssword" refused', url)).toBe('password "***" refused');
    // A short password is masked in the URL only: masking every "ab" would garble the message.
    expect(maskSecrets('about redis://:ab@h:1', 'redis://:ab@h:1')).toBe('about redis://:***@h:1');
    expect(maskSecrets('x //u:secret@h y', 'garbage //u:secret@h')).toBe('x //u:***@h y');
  });
});

describe('describeError and hintFor', () => {
  it('says each message of the cause chain once, with system and SQL codes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const wrapped = new StoreUnavailableError('PostgresStore get failed: connect ECONNREFUSED 127.0.0.1:1', {
      cause: refused,
    });
    expect(describeError(wrapped)).toBe('PostgresStore get failed: connect ECONNREFUSED 127.0.0.1:1');
    expect(hintFor(wrapped)).toMatch(/nothing listens there/);
    const sql = Object.assign(new Error('relation "public.t" does not exist'), { code: '42P01' });
    expect(describeError(new StoreUnavailableError('get failed', { cause: sql }))).toBe(
      'get failed: relation "public.t" does not exist (42P01)',
    );
    expect(hintFor(sql)).toMatch(/--schema and --table/);
  });

  it("reads an AggregateError's attempts (a happy-eyeballs connect) and Redis reply codes", () => {
    const attempts = ['::1', '127.0.0.1'].map((host) =>
      Object.assign(new Error(`connect ECONNREFUSED ${host}:6379`), { code: 'ECONNREFUSED' }),
    );
    const aggregate = new AggregateError(attempts, '');
    expect(describeError(aggregate)).toBe(
      'connect ECONNREFUSED ::1:6379; connect ECONNREFUSED 127.0.0.1:6379',
    );
    expect(hintFor(aggregate)).toMatch(/nothing listens there/);
    expect(hintFor(new Error('NOAUTH Authentication required.'))).toMatch(/wants a password/);
    expect(hintFor(new Error('something else'))).toBeUndefined();
    expect(describeError('plain text')).toBe('plain text');
    expect(describeError(new Error('', { cause: 'why' }))).toBe('Error: why');
  });
});
