/**
 * The built client on Bun and Deno (and Node), against the real test server: one key for every attempt, a
 * retried 503, and the replay seen. Browsers run the same Web-standard code (fetch, Request, AbortSignal,
 * crypto.randomUUID); no browser is run here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';

const run = promisify(execFile);
const bin = (name: string) => new URL(`../../../node_modules/.bin/${name}`, import.meta.url).pathname;
const script = `import { idempotentFetch, newIdempotencyKey } from './client.mjs';
const url = process.argv[2] ?? Deno.args[0];
const key = newIdempotencyKey();
const first = await idempotentFetch(url, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }, { key, baseDelayMs: 5 });
const second = await idempotentFetch(url, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }, { key });
console.log(JSON.stringify({ first: [first.status, first.replayed, first.attempts], second: [second.status, second.replayed, second.attempts], same: (await first.text()) === (await second.text()) }));
`;

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'idempo-client-'));
  writeFileSync(join(dir, 'client.mjs'), readFileSync(new URL('../dist/index.js', import.meta.url), 'utf8'));
  writeFileSync(
    join(dir, 'main.mjs'),
    script.replace(
      'process.argv[2] ?? Deno.args[0]',
      'globalThis.process?.argv[2] ?? globalThis.Deno.args[0]',
    ),
  );
});
afterAll(() => server.close());

describe.each([
  ['node', () => [process.execPath, []] as const],
  ['bun', () => [bin('bun'), []] as const],
  ['deno', () => [bin('deno'), ['run', '--allow-net']] as const],
])('the client on %s', (_name, command) => {
  it('retries a 503 with the same key and sees the replay', async () => {
    server.failNext(1, 503);
    const before = server.executions();
    const [file, args] = command();
    const { stdout } = await run(file, [...args, join(dir, 'main.mjs'), `${server.url}/p`]);
    expect(JSON.parse(stdout)).toEqual({ first: [201, false, 2], second: [201, true, 1], same: true });
    expect(server.executions()).toBe(before + 1);
  });
});
