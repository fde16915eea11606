/**
 * runCli in-process over a MemoryStore on a fake clock: the records are written by core's engine, and what the
 * CLI says a retry gets is checked against what the engine then does with that retry.
 */
import { readFileSync } from 'node:fs';
import { type IdempotencyStore, InvalidOptionsError, MemoryStore, StoreUnavailableError } from '@idempo/core';
import { createIdempotency } from '@idempo/core/adapter';
import { storageKey } from '@idempo/core/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { captureIo } from './support/capture-io.js';
import { order } from './support/service.js';

const START = Date.parse('2026-11-23T12:00:00.000Z');
let clock = START;
let store: MemoryStore;

beforeEach(() => {
  clock = START;
  store = new MemoryStore({ now: () => clock });
});

/** Runs the CLI over `on`, its clock `skewMs` off the store's. */
async function cli(argv: string[], on: IdempotencyStore = store, skewMs = 0) {
  const { io, captured, closed } = captureIo({ store: on, now: () => new Date(clock + skewMs) });
  const code = await runCli(argv, io);
  return { code, ...captured, closed: closed() };
}

const redis = ['--store', 'redis'];

describe('inspect', () => {
  it('a completed record: every field, and a retry replays it (C15) or gets 422 with another body (D26)', async () => {
    await order(store, { key: 'order-1', principal: 'alice' });
    clock += 3 * 60_000;
    const { code, stdout, stderr, closed } = await cli([
      'inspect',
      'order-1',
      '--principal',
      'alice',
      ...redis,
    ]);
    const digest = await storageKey({ key: 'order-1', principal: 'alice', scope: '' });
    expect({ code, stderr, closed }).toEqual({ code: 0, stderr: '', closed: 1 });
    expect(stdout).toBe(
      [
        'store        memory (test)',
        'client key   order-1',
        'principal    alice',
        "scope        '' (the default)",
        `storage key  ${digest}`,
        `location     memory key ${digest}`,
        'state        completed',
        `fingerprint  ${(await store.get(digest))?.fingerprint}`,
        'created      2026-11-23T12:00:00.000Z (3 min ago)',
        'retained     until 2026-11-24T12:00:00.000Z (in 23 h 57 min)',
        'response     201 Created, 2 headers, body 23 bytes',
        '               content-type: application/json',
        '               location: /orders/42',
        'a retry gets the stored 201 Created again (a replay);',
        '             with another request body (another fingerprint): 422',
        '',
      ].join('\n'),
    );
    expect(stdout).not.toContain('"id":42');
    expect(await order(store, { key: 'order-1', principal: 'alice' })).toEqual({
      kind: 'replay',
      status: 201,
    });
    expect(await order(store, { key: 'order-1', principal: 'alice', body: '{"amount":1}' })).toEqual({
      kind: 'reject',
      status: 422,
    });
  });

  it('--json: one object with stable fields, dates as ISO 8601', async () => {
    await order(store, { key: 'order-1', principal: 'alice', scope: 'v1' });
    const { code, stdout } = await cli([
      'inspect',
      'order-1',
      '--principal',
      'alice',
      '--scope',
      'v1',
      '--json',
      ...redis,
    ]);
    expect(code).toBe(0);
    const view = JSON.parse(stdout);
    const digest = await storageKey({ key: 'order-1', principal: 'alice', scope: 'v1' });
    expect(view).toEqual({
      found: true,
      store: 'memory (test)',
      location: `memory key ${digest}`,
      key: 'order-1',
      principal: 'alice',
      scope: 'v1',
      storageKey: digest,
      state: 'completed',
      leaseRunning: null,
      retry: 'replay',
      fingerprint: expect.any(String),
      createdAt: '2026-11-23T12:00:00.000Z',
      leaseExpiresAt: null,
      expiresAt: '2026-11-24T12:00:00.000Z',
      response: {
        status: 201,
        headers: [
          ['content-type', 'application/json'],
          ['location', '/orders/42'],
        ],
        bodyBytes: 23,
        body: null,
        bodyEncoding: null,
      },
      responseError: null,
      checkedAt: '2026-11-23T12:00:00.000Z',
    });
  });

  it('--body: the stored body as UTF-8 text, or base64 when it is not UTF-8', async () => {
    await order(store, { key: 'text' });
    const text = await cli(['inspect', 'text', '--body', ...redis]);
    expect(text.stdout).toMatch(/body \(utf-8, 23 bytes\):\n\{"id":42,"amount":1000\}\n$/);
    await order(
      store,
      { key: 'bytes' },
      { status: 200, headers: {}, body: new Uint8Array([0xff, 0x00, 0xfe]) },
    );
    const bytes = await cli(['inspect', 'bytes', '--body', '--json', ...redis]);
    expect(JSON.parse(bytes.stdout).response).toEqual({
      status: 200,
      headers: [],
      bodyBytes: 3,
      body: '/wD+',
      bodyEncoding: 'base64',
    });
    expect((await cli(['inspect', 'bytes', ...redis])).stdout).toContain('200 OK, 0 headers, body 3 bytes');
  });

  it('in flight, lease running: a retry gets 409 (E32), with another body 422 (D29)', async () => {
    await order(store, { key: 'slow' }, {}, true);
    clock += 12_000;
    const { code, stdout } = await cli(['inspect', 'slow', ...redis]);
    expect(code).toBe(0);
    expect(stdout).toContain('state        in flight, lease ends in 18 s\n');
    expect(stdout).toContain('lease ends   2026-11-23T12:00:30.000Z (in 18 s)\n');
    expect(stdout).toContain('a retry gets 409 (in progress, with Retry-After) until the handler finishes');
    expect(stdout).not.toContain('response     ');
    expect(JSON.parse((await cli(['inspect', 'slow', '--json', ...redis])).stdout)).toMatchObject({
      state: 'in-flight',
      leaseRunning: true,
      retry: 'conflict',
      leaseExpiresAt: '2026-11-23T12:00:30.000Z',
      response: null,
    });
    expect(await order(store, { key: 'slow' })).toEqual({ kind: 'reject', status: 409 });
    expect(await order(store, { key: 'slow', body: '{}' })).toEqual({ kind: 'reject', status: 422 });
  });

  it('in flight, lease ended: the handler is presumed dead; the next retry, any body, takes over (E35)', async () => {
    await order(store, { key: 'crashed' }, {}, true);
    clock += 30_000 + 3 * 60_000;
    const { code, stdout } = await cli(['inspect', 'crashed', ...redis]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'state        in flight, lease ENDED 3 min ago: the handler is presumed dead; the next retry takes over\n',
    );
    expect(stdout).toContain(
      'a retry gets a fresh run: the next retry, whatever its body, takes the key over',
    );
    expect(JSON.parse((await cli(['inspect', 'crashed', '--json', ...redis])).stdout)).toMatchObject({
      leaseRunning: false,
      retry: 'take-over',
    });
    expect(await order(store, { key: 'crashed', body: '{"other":true}' })).toEqual({
      kind: 'execute',
      status: 201,
    });
  });

  it('no record: exit 1, in text and JSON; a principal or scope of its own is another record (G41, G42)', async () => {
    await order(store, { key: 'order-1', principal: 'alice', scope: 'v1' });
    const other = await cli(['inspect', 'order-1', '--principal', 'bob', '--scope', 'v1', ...redis]);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('no record: none was stored, or it expired, was released or deleted');
    expect((await cli(['inspect', 'order-1', '--principal', 'alice', ...redis])).code).toBe(1);
    const json = await cli(['inspect', 'order-1', '--json', ...redis]);
    expect(JSON.parse(json.stdout)).toMatchObject({ found: false, key: 'order-1', principal: '', scope: '' });
  });

  it('past its retention the record is gone (G44)', async () => {
    await order(store, { key: 'old' });
    clock += 86_400_000;
    expect((await cli(['inspect', 'old', ...redis])).code).toBe(1);
  });

  it('--storage-key looks the record up by its digest (an event keyHash)', async () => {
    await order(store, { key: 'order-1', principal: 'alice' });
    const digest = await storageKey({ key: 'order-1', principal: 'alice' });
    const { code, stdout } = await cli(['inspect', digest, '--storage-key', ...redis]);
    expect(code).toBe(0);
    expect(stdout).toContain('client key   (not known: looked up by its storage key)\n');
    expect(stdout).not.toContain('principal');
    expect(
      JSON.parse((await cli(['inspect', digest, '--storage-key', '--json', ...redis])).stdout),
    ).toMatchObject({
      key: null,
      principal: null,
      scope: null,
      storageKey: digest,
    });
  });

  it('a record of an older store version: created unknown; an undecodable response said so', async () => {
    const digest = await storageKey({ key: 'legacy' });
    const legacy = readOnly({
      state: 'completed',
      fingerprint: 'f',
      createdAt: undefined,
      leaseExpiresAt: undefined,
      expiresAt: new Date(START + 60_000),
      response: new Uint8Array([1, 2, 3]),
    });
    const { code, stdout } = await cli(['inspect', 'legacy', ...redis], legacy);
    expect(code).toBe(0);
    expect(stdout).toContain(`storage key  ${digest}`);
    expect(stdout).toContain('created      unknown (record older than this version)\n');
    expect(stdout).toMatch(/response {5}cannot decode: .+/);
    expect(stdout).toContain(
      'a retry gets 503: the stored response does not decode, so it cannot be replayed',
    );
    const view = JSON.parse((await cli(['inspect', 'legacy', '--json', ...redis], legacy)).stdout);
    expect(view).toMatchObject({ createdAt: null, response: null, responseError: expect.any(String) });
  });

  it('a completed record without response bytes, and an in-flight one without a lease instant', async () => {
    const noBytes = readOnly({
      state: 'completed',
      fingerprint: 'f',
      createdAt: new Date(START),
      leaseExpiresAt: undefined,
      expiresAt: new Date(START + 60_000),
      response: undefined,
    });
    expect((await cli(['inspect', 'k', ...redis], noBytes)).stdout).toContain(
      'response     cannot decode: the completed record has no response',
    );
    const noLease = readOnly({
      state: 'in-flight',
      fingerprint: 'f',
      createdAt: new Date(START),
      leaseExpiresAt: undefined,
      expiresAt: new Date(START + 60_000),
      response: undefined,
    });
    expect((await cli(['inspect', 'k', ...redis], noLease)).stdout).toContain(
      'state        in flight (no lease instant stored)',
    );
  });

  it('headers are shown one per line, a single one as "1 header"', async () => {
    await order(store, { key: 'one' }, { status: 599, headers: { 'x-a': 'b' }, body: '' });
    expect((await cli(['inspect', 'one', ...redis])).stdout).toContain(
      '599, 1 header, body 0 bytes\n               x-a: b\n',
    );
  });
});

/** A store whose get() always answers `record` (as a store of another version or author might). */
function readOnly(
  record: NonNullable<Awaited<ReturnType<NonNullable<IdempotencyStore['get']>>>>,
): IdempotencyStore {
  const memory = new MemoryStore();
  return Object.assign(Object.create(memory) as MemoryStore, { get: async () => record });
}

describe('delete', () => {
  it('a completed record: shown, deleted; the next request runs afresh (C14)', async () => {
    await order(store, { key: 'order-1' });
    const { code, stdout, stderr } = await cli(['delete', 'order-1', ...redis]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('state        completed\n');
    expect(stdout).toMatch(/deleted: the next request with this key runs the handler afresh\n$/);
    expect((await cli(['inspect', 'order-1', ...redis])).code).toBe(1);
    expect(await order(store, { key: 'order-1', body: '{"amount":2}' })).toEqual({
      kind: 'execute',
      status: 201,
    });
  });

  it('refuses an in-flight record whose lease runs (exit 4), saying a retry would run it a second time', async () => {
    await order(store, { key: 'slow' }, {}, true);
    const { code, stdout, stderr } = await cli(['delete', 'slow', ...redis]);
    expect(code).toBe(4);
    expect(stdout).toContain('in flight, lease ends in 30 s');
    expect(stderr).toContain(
      'idempo: refused: the store reports the record in flight with its lease still running (by its own clock)',
    );
    expect(stderr).toContain('Nothing was deleted.');
    expect(stderr).toContain(
      'a retry run the request a second time while the first one may still be running',
    );
    expect(stderr).toContain('--force');
    expect(stderr).not.toContain('differs');
    expect(await order(store, { key: 'slow' })).toEqual({ kind: 'reject', status: 409 });
    const json = await cli(['delete', 'slow', '--json', ...redis]);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({
      state: 'in-flight',
      deleted: false,
      refused: 'lease-running',
    });
  });

  it('--force deletes it, warns, and fences the running holder out: its commit stores nothing (E35)', async () => {
    const idempotency = createIdempotency({ store, heartbeatMs: false });
    const request = {
      method: 'POST',
      url: '/orders',
      header: (name: string) => (name === 'idempotency-key' ? 'slow' : undefined),
      body: new TextEncoder().encode('{}'),
      context: undefined,
    };
    const holder = await idempotency.begin(request);
    if (holder.kind !== 'execute') throw new Error(holder.kind);
    const { code, stdout, stderr } = await cli(['delete', 'slow', '--force', '--json', ...redis]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      state: 'in-flight',
      leaseRunning: true,
      deleted: true,
      refused: null,
    });
    expect(stderr).toContain(
      'idempo: deleted with --force: if the record was in flight with its lease running',
    );
    expect(await holder.commit({ status: 201, body: 'late' })).toBe('lease-lost');
    expect((await cli(['inspect', 'slow', ...redis])).code).toBe(1);
  });

  it('an in-flight record whose lease ended is deleted without --force', async () => {
    await order(store, { key: 'crashed' }, {}, true);
    clock += 31_000;
    const { code, stderr } = await cli(['delete', 'crashed', ...redis]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });
  });

  it("the store's clock decides, not this machine's: a lease ENDED here but running there is kept", async () => {
    await order(store, { key: 'slow' }, {}, true);
    // This machine's clock is a minute ahead of the store's.
    const { code, stdout, stderr } = await cli(['delete', 'slow', ...redis], store, 60_000);
    expect(code).toBe(4);
    expect(stdout).toContain('in flight, lease ENDED 30 s ago');
    expect(stderr).toContain('idempo: refused: the store reports the record in flight');
    expect(stderr).toContain("or this machine's clock is ahead of the store's");
    expect(await order(store, { key: 'slow' })).toEqual({ kind: 'reject', status: 409 });
  });

  it("and a lease running here but ENDED by the store's clock is deleted without --force", async () => {
    await order(store, { key: 'crashed' }, {}, true);
    clock += 31_000;
    // This machine's clock is 40 s behind the store's.
    const { code, stdout, stderr } = await cli(['delete', 'crashed', ...redis], store, -40_000);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('in flight, lease ends in 39 s');
    expect(stdout).toMatch(/deleted: the next request with this key runs the handler afresh\n$/);
    expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });
  });

  it("a retry takes a lease-ended key over between the read and the delete: the new holder's record is kept (E35)", async () => {
    await order(store, { key: 'crashed' }, {}, true);
    clock += 31_000;
    const idempotency = createIdempotency({ store, heartbeatMs: false });
    let retry: Awaited<ReturnType<typeof idempotency.begin>> | undefined;
    // The read shows the dead holder's record; then, before the delete, a retry takes the key over.
    const racing = Object.assign(Object.create(store) as MemoryStore, {
      get: async (key: string) => {
        const record = await store.get(key);
        retry = await idempotency.begin({
          method: 'POST',
          url: '/orders',
          header: (name: string) => (name === 'idempotency-key' ? 'crashed' : undefined),
          body: new TextEncoder().encode('{"amount":1000}'),
          context: undefined,
        });
        return record;
      },
      delete: store.delete.bind(store),
    });
    const { code, stdout, stderr } = await cli(['delete', 'crashed', '--json', ...redis], racing);
    expect(code).toBe(4);
    expect(JSON.parse(stdout)).toMatchObject({
      leaseRunning: false,
      deleted: false,
      refused: 'lease-running',
    });
    expect(stderr).toContain('a request reserved or took over the key in\nbetween');
    if (retry?.kind !== 'execute') throw new Error(`the retry did not take over: ${retry?.kind}`);
    // The new holder still holds its record: its response is stored, and a further retry replays it.
    expect(await retry.commit({ status: 201, body: '{"id":43}' })).toBe('stored');
    expect(await order(store, { key: 'crashed' })).toEqual({ kind: 'replay', status: 201 });
  });

  it('no record: exit 1, nothing deleted', async () => {
    const { code, stdout } = await cli(['delete', 'nothing', ...redis]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/nothing deleted\n$/);
    const json = await cli(['delete', 'nothing', '--json', ...redis]);
    expect(JSON.parse(json.stdout)).toMatchObject({ found: false, deleted: false, refused: null });
  });

  it('no record read, then one reserved before the delete: the store keeps it (exit 4)', async () => {
    const appearing = Object.assign(Object.create(store) as MemoryStore, {
      get: async (key: string) => {
        const record = await store.get(key);
        await order(store, { key: 'new' }, {}, true);
        return record;
      },
      delete: store.delete.bind(store),
    });
    const { code, stdout, stderr } = await cli(['delete', 'new', '--json', ...redis], appearing);
    expect(code).toBe(4);
    expect(JSON.parse(stdout)).toMatchObject({ found: false, deleted: false, refused: 'lease-running' });
    expect(stderr).toContain('The record shown above was read just before and differs');
    expect(await order(store, { key: 'new' })).toEqual({ kind: 'reject', status: 409 });
  });

  it('no record read, then one completed before the delete: deleted, and said it was not shown', async () => {
    const appearing = Object.assign(Object.create(store) as MemoryStore, {
      get: async (key: string) => {
        const record = await store.get(key);
        await order(store, { key: 'new' });
        return record;
      },
      delete: store.delete.bind(store),
    });
    const { code, stdout } = await cli(['delete', 'new', ...redis], appearing);
    expect(code).toBe(0);
    expect(stdout).toContain('no record: none was stored');
    expect(stdout).toContain('deleted: a record written after the read above (not shown) was deleted');
    expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });
  });

  it('a record gone between the read and the delete: exit 1, said so', async () => {
    await order(store, { key: 'racy' });
    const racy = Object.assign(Object.create(store) as MemoryStore, {
      get: store.get.bind(store),
      delete: async () => 'not-found' as const,
    });
    const { code, stdout } = await cli(['delete', 'racy', ...redis], racy);
    expect(code).toBe(1);
    expect(stdout).toContain('nothing deleted: the record was gone by then');
  });

  it('passes --force to the store, and only then', async () => {
    const asked: unknown[] = [];
    const spying = Object.assign(Object.create(store) as MemoryStore, {
      get: store.get.bind(store),
      delete: async (key: string, options?: { force?: boolean | undefined }) => {
        asked.push(options);
        return store.delete(key, options);
      },
    });
    await cli(['delete', 'k', ...redis], spying);
    await cli(['delete', 'k', '--force', ...redis], spying);
    expect(asked).toEqual([{ force: false }, { force: true }]);
  });

  it('a failing delete: exit 3, saying the record may or may not be deleted', async () => {
    await order(store, { key: 'k' });
    const failing = Object.assign(Object.create(store) as MemoryStore, {
      get: store.get.bind(store),
      delete: async () => {
        throw new StoreUnavailableError('MemoryStore: delete failed: boom');
      },
    });
    const { code, stderr } = await cli(['delete', 'k', ...redis], failing);
    expect(code).toBe(3);
    expect(stderr).toContain(
      'store error: the delete failed (the record may or may not be deleted: inspect it again)',
    );
    expect(stderr).toContain('boom');
  });
});

describe('stats', () => {
  it('counts live records by state, as text and JSON', async () => {
    await order(store, { key: 'a' });
    await order(store, { key: 'b' });
    await order(store, { key: 'crashed', leaseMs: 1_000 }, {}, true);
    clock += 2_000;
    await order(store, { key: 'slow' }, {}, true);
    const { code, stdout } = await cli(['stats', ...redis]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'store        memory (test)',
        'in flight    1  lease running: a retry gets 409',
        'lease ended  1  handler presumed dead: the next retry takes over',
        'completed    2  a retry gets the stored response',
        'total        4',
        '',
      ].join('\n'),
    );
    expect(JSON.parse((await cli(['stats', '--json', ...redis])).stdout)).toEqual({
      store: 'memory (test)',
      inFlight: 1,
      leaseExpired: 1,
      completed: 2,
      total: 4,
      checkedAt: '2026-11-23T12:00:02.000Z',
    });
  });
});

describe('key', () => {
  it('prints the storage key the engine uses, alone or as JSON; opens no store', async () => {
    const digest = await storageKey({ key: 'order-1', principal: 'alice', scope: 'v1' });
    const { io, captured, closed } = captureIo();
    expect(await runCli(['key', 'order-1', '--principal', 'alice', '--scope', 'v1'], io)).toBe(0);
    expect(captured.stdout).toBe(`${digest}\n`);
    expect(closed()).toBe(0);
    const json = await cli(['key', 'order-1', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      key: 'order-1',
      principal: '',
      scope: '',
      storageKey: await storageKey({ key: 'order-1' }),
    });
  });
});

describe('help, version and usage errors', () => {
  it('--help, <command> --help, --version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('commands:\n  inspect <key>');
    const inspectHelp = await cli(['inspect', '--help']);
    expect(inspectHelp.stdout).toContain('--storage-key');
    expect(inspectHelp.stdout).toContain(
      '--timeout-ms <n>     bound of connecting and of each store operation (default 5000)',
    );
    for (const command of ['delete', 'stats', 'key']) {
      expect((await cli([command, '--help'])).stdout).toContain(`usage: idempo ${command}`);
    }
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('no arguments: the usage on stderr, exit 2', async () => {
    const { code, stdout, stderr } = await cli([]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain('usage: idempo <command>');
  });

  it('a usage error: the message and where to look, exit 2; with --json an error object too', async () => {
    const text = await cli(['inspect', 'k', '--store', 'memcached']);
    expect(text).toMatchObject({ code: 2, stdout: '' });
    expect(text.stderr).toBe(
      'idempo: --store must be one of redis, postgres, mongo, got "memcached"\n  hint: see idempo inspect --help\n',
    );
    const json = await cli(['inspect', '--json', '--store', 'redis']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        exitCode: 2,
        message: 'inspect needs a <key>',
        store: null,
        hint: 'see idempo inspect --help',
      },
    });
    expect((await cli(['bogus'])).stderr).toContain('see idempo --help');
  });

  it('store options the store refuses (InvalidOptionsError) are usage errors', async () => {
    const { io, captured } = captureIo({ now: () => new Date(clock) });
    const code = await runCli(['stats', ...redis], {
      ...io,
      openStore: async () => {
        throw new InvalidOptionsError('PostgresStore: table must be ...');
      },
    });
    expect(code).toBe(2);
    expect(captured.stderr).toContain('idempo: PostgresStore: table must be ...');
  });
});

describe('store errors', () => {
  it('a failing store: exit 3, the cause and the store named, the store closed; JSON error object', async () => {
    const failing = Object.assign(Object.create(store) as MemoryStore, {
      get: async () => {
        throw new StoreUnavailableError('RedisStore: get failed: connection lost', {
          cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
        });
      },
    });
    const { code, stdout, stderr, closed } = await cli(['inspect', 'k', '--json', ...redis], failing);
    expect(code).toBe(3);
    expect(closed).toBe(1);
    expect(stderr).toBe(
      'idempo: store error: RedisStore: get failed: connection lost: read ECONNRESET\n' +
        '  store: redis at redis://127.0.0.1:6379, prefix idempo:\n',
    );
    expect(JSON.parse(stdout)).toEqual({
      error: {
        exitCode: 3,
        message: 'store error: RedisStore: get failed: connection lost: read ECONNRESET',
        store: 'redis at redis://127.0.0.1:6379, prefix idempo:',
        hint: null,
      },
    });
  });

  it('a store without the operations (another author, an older version): exit 3, said so', async () => {
    const bare: IdempotencyStore = {
      reserve: store.reserve.bind(store),
      complete: store.complete.bind(store),
      release: store.release.bind(store),
      extend: store.extend.bind(store),
    };
    for (const argv of [['inspect', 'k'], ['delete', 'k'], ['stats']]) {
      const { code, stderr } = await cli([...argv, ...redis], bare);
      expect(code).toBe(3);
      expect(stderr).toMatch(/this version of the store has no (get|stats)\(\)/);
    }
  });
});
