/** The built `idempo` command as a process, without a store: help, version, key, usage errors, MongoDB failures. */
import { readFileSync } from 'node:fs';
import { storageKey } from '@idempo/core/store';
import { describe, expect, it } from 'vitest';
import { runBin } from './support/run-bin.js';
import { closedPort } from './support/silent-server.js';

describe('idempo without a store', () => {
  it('--help, inspect --help and --version', async () => {
    const help = await runBin(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: idempo <command> [options]');
    const inspect = await runBin(['inspect', '--help']);
    expect(inspect.stdout).toContain('usage: idempo inspect <key> --store <redis|postgres|mongo> [options]');
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect((await runBin(['--version'])).stdout).toBe(`${version}\n`);
  });

  it('key: the storage key alone, to grep logs and events (G43: framed, so no separator collides)', async () => {
    const run = await runBin(['key', 'a:b', '--principal', 'alice']);
    expect(run).toMatchObject({
      code: 0,
      stderr: '',
      stdout: `${await storageKey({ key: 'a:b', principal: 'alice' })}\n`,
    });
    const other = await runBin(['key', 'b', '--principal', 'alice:a']);
    expect(other.stdout).not.toBe(run.stdout);
  });

  it('usage errors: exit 2, one line and a hint, no stack trace', async () => {
    const unknownStore = await runBin(['inspect', 'k', '--store', 'memcached']);
    expect(unknownStore.code).toBe(2);
    expect(unknownStore.stderr).toBe(
      'idempo: --store must be one of redis, postgres, mongo, got "memcached"\n  hint: see idempo inspect --help\n',
    );
    const missingKey = await runBin(['delete', '--store', 'redis']);
    expect(missingKey.code).toBe(2);
    expect(missingKey.stderr).toContain('idempo: delete needs a <key>');
    expect((await runBin([])).code).toBe(2);
    expect((await runBin(['stats', '--store', 'mongo'], { MONGODB_URL: '' })).stderr).toContain(
      '--store mongo needs --url or MONGODB_URL',
    );
  });

  it('mongo, unreachable: exit 3 with the cause, within --timeout-ms and a margin (no MongoDB server here)', async () => {
    const port = await closedPort();
    const refused = await runBin([
      'stats',
      '--store',
      'mongo',
      '--url',
      `mongodb://127.0.0.1:${port}`,
      '--timeout-ms',
      '600',
    ]);
    expect(refused.code).toBe(3);
    // The cause is the refused connection, or, when the driver's server selection has not seen the refusal within
    // the 600 ms on a busy machine (CI did once), the timeout itself: either way a store error naming the target.
    expect(refused.stderr).toMatch(/ECONNREFUSED|did not answer within 600 ms/);
    expect(refused.stderr).toContain(`mongodb://127.0.0.1:${port}`);
    expect(refused.ms).toBeLessThan(600 + 2_500);
    expect(refused.lingerMs).toBeLessThan(1_000);
  });
});
