import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/args.js';
import { startReference } from '../src/process.js';

describe('the command line', () => {
  it('parses the documented options, with defaults', () => {
    expect(parseArgs(['--framework', 'hono', '--store=redis', '--', '--lease-ms', '500'])).toEqual({
      framework: 'hono',
      store: 'redis',
      port: 0,
      host: '127.0.0.1',
      leaseMs: 500,
      ttlMs: undefined,
      namespace: undefined,
    });
  });

  it('refuses what it does not know, readably', () => {
    expect(() => parseArgs(['--framework', 'sinatra', '--store', 'memory'])).toThrow(
      /--framework must be one of/,
    );
    expect(() => parseArgs(['--framework', 'hono'])).toThrow(/--store must be one of/);
    expect(() => parseArgs(['--framework', 'hono', '--store', 'memory', '--port', '-1'])).toThrow(/--port/);
    expect(() => parseArgs(['--framework', 'hono', '--store', 'memory', '--colour', 'red'])).toThrow(
      /unknown option/,
    );
    expect(() => parseArgs(['--framework'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--framework', 'hono', '--store', 'memory', '--namespace', 'A-B'])).toThrow(
      /namespace/,
    );
  });

  it('the process exits 2 with the usage for a bad command line', async () => {
    await expect(startReference(['--framework', 'sinatra', '--store', 'memory'])).rejects.toThrow(
      /exited with 2[\s\S]*usage/,
    );
  });
});

describe('--store mongo', () => {
  it('says clearly that it needs MONGODB_URL when none is set', async () => {
    await expect(
      startReference(['--framework', 'hono', '--store', 'mongo'], { MONGODB_URL: '' }),
    ).rejects.toThrow(/exited with 1[\s\S]*--store mongo needs MONGODB_URL/);
  });

  it('fails within seconds with the address when MongoDB does not answer', async () => {
    await expect(
      startReference(['--framework', 'hono', '--store', 'mongo'], {
        MONGODB_URL: 'mongodb://127.0.0.1:1/idempo',
      }),
    ).rejects.toThrow(/cannot reach MongoDB at mongodb:\/\/127.0.0.1:1/);
  }, 30_000);
});
