import { describe, expect, it } from 'vitest';
import { parseCommand, wantsJson } from '../src/args.js';
import { UsageError } from '../src/cli-errors.js';

const STORAGE_KEY = '5fVUszDAse0hD_crMx3GpOVj3Ro-jsLPnZL0PK51-Ng';

function usageError(argv: string[], env: Record<string, string> = {}): UsageError {
  try {
    parseCommand(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`parsed: ${argv.join(' ')}`);
}

describe('parseCommand', () => {
  it('inspect: the key, principal and scope; store defaults (prefix idempo:, 5000 ms, REDIS_URL default)', () => {
    expect(
      parseCommand(['inspect', 'order-1', '--principal', 'alice', '--scope', 'v1', '--store', 'redis'], {}),
    ).toEqual({
      name: 'inspect',
      key: { kind: 'client', key: 'order-1', principal: 'alice', scope: 'v1' },
      target: { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: 'idempo:', timeoutMs: 5000 },
      json: false,
      body: false,
      force: false,
    });
  });

  it('principal and scope default to empty (G41, G42: the engine hashes them as given)', () => {
    const command = parseCommand(['key', 'k'], {});
    expect(command).toEqual({
      name: 'key',
      key: { kind: 'client', key: 'k', principal: '', scope: '' },
      json: false,
    });
  });

  it('A2 A3 a <key> in quotes is the header as sent, parsed like the service does; any other is the key itself', () => {
    const keyOf = (given: string) => {
      const command = parseCommand(['key', given], {});
      return command.name === 'key' ? command.key.key : undefined;
    };
    expect(keyOf('"order-1"')).toBe('order-1');
    expect(keyOf('  "a \\"quoted\\" b"; x=1')).toBe('a "quoted" b');
    expect(keyOf('order-1')).toBe('order-1');
    expect(keyOf('a b')).toBe('a b');
    expect(usageError(['key', '"unterminated']).message).toMatch(/not a valid quoted Idempotency-Key/);
    expect(usageError(['inspect', '"a", "b"', '--store', 'redis']).message).toMatch(/more than one/);
  });

  it('URLs come from --url, else the environment, else the defaults (REDIS_URL, DATABASE_URL)', () => {
    const env = { REDIS_URL: 'redis://cache:6380', DATABASE_URL: 'postgres://db/app' };
    const target = (argv: string[], e: Record<string, string> = env) =>
      (parseCommand(['stats', ...argv], e) as { target: { url: string } }).target.url;
    expect(target(['--store', 'redis'])).toBe('redis://cache:6380');
    expect(target(['--store', 'postgres'])).toBe('postgres://db/app');
    expect(target(['--store', 'postgres'], {})).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(target(['--store', 'postgres'], { DATABASE_URL: '' })).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
    expect(target(['--store', 'redis', '--url', 'redis://other:1'])).toBe('redis://other:1');
    expect(target(['--store', 'mongo'], { MONGODB_URL: 'mongodb://m/app' })).toBe('mongodb://m/app');
  });

  it('postgres and mongo targets carry their own options, with the stores defaults', () => {
    expect(
      parseCommand(['stats', '--store', 'postgres', '--schema', 's', '--timeout-ms', '250'], {}),
    ).toMatchObject({
      target: { kind: 'postgres', schema: 's', table: 'idempo_records', timeoutMs: 250 },
    });
    expect(
      parseCommand(['stats', '--store', 'mongo', '--url', 'mongodb://m', '--database', 'app', '--json'], {}),
    ).toEqual({
      name: 'stats',
      target: {
        kind: 'mongo',
        url: 'mongodb://m',
        database: 'app',
        collection: 'idempo_records',
        timeoutMs: 5000,
      },
      json: true,
    });
  });

  it('delete: --force, --body, --json, and a storage key given as it is', () => {
    expect(
      parseCommand(
        ['delete', STORAGE_KEY, '--storage-key', '--store', 'redis', '--force', '--body', '--json'],
        {},
      ),
    ).toMatchObject({
      name: 'delete',
      key: { kind: 'storage', storageKey: STORAGE_KEY },
      force: true,
      body: true,
      json: true,
    });
  });

  it('a key that starts with "-" after --', () => {
    expect(parseCommand(['key', '--', '-abc'], {})).toMatchObject({ key: { key: '-abc' } });
  });

  it('help and version', () => {
    expect(parseCommand(['--help'], {})).toEqual({ name: 'help', topic: undefined });
    expect(parseCommand(['help', 'delete'], {})).toEqual({ name: 'help', topic: 'delete' });
    expect(parseCommand(['-h', 'nonsense'], {})).toEqual({ name: 'help', topic: undefined });
    expect(parseCommand(['inspect', '--bogus', '--help'], {})).toEqual({ name: 'help', topic: 'inspect' });
    expect(parseCommand(['stats', '-h'], {})).toEqual({ name: 'help', topic: 'stats' });
    expect(parseCommand(['--version'], {})).toEqual({ name: 'version' });
  });

  it('usage errors say what is wrong and name the command', () => {
    expect(usageError([]).message).toBe('no command given');
    expect(usageError(['frobnicate']).message).toBe('unknown command "frobnicate"');
    expect(usageError(['inspect', 'k']).message).toBe('--store is required: redis, postgres, mongo');
    expect(usageError(['inspect', 'k', '--store', 'memcached']).message).toBe(
      '--store must be one of redis, postgres, mongo, got "memcached"',
    );
    expect(usageError(['inspect', '--store', 'redis']).message).toBe('inspect needs a <key>');
    expect(usageError(['inspect', 'a', 'b', '--store', 'redis']).message).toBe(
      'inspect takes one <key>, got 2: a b',
    );
    expect(usageError(['stats', 'k', '--store', 'redis']).message).toBe('stats takes no <key>, got k');
    expect(usageError(['inspect', 'k', '--store', 'redis', '--table', 't']).message).toBe(
      '--table is an option of --store postgres, not of --store redis',
    );
    expect(usageError(['stats', '--store', 'postgres', '--prefix', 'p:']).message).toBe(
      '--prefix is an option of --store redis, not of --store postgres',
    );
    expect(usageError(['stats', '--store', 'mongo']).message).toMatch(/needs --url or MONGODB_URL/);
    expect(usageError(['inspect', 'k', '--store', 'redis', '--wat']).message).toMatch(
      /Unknown option '--wat'/,
    );
    expect(usageError(['inspect', 'k', '--store']).message).toMatch(/argument missing/);
    expect(usageError(['key', 'k', '--force']).command).toBe('key');
    for (const bad of ['0', '-1', '1.5', 'abc', '1e3', '600001']) {
      expect(usageError(['stats', '--store', 'redis', `--timeout-ms=${bad}`]).message).toMatch(
        /--timeout-ms must be/,
      );
    }
  });

  it('--storage-key: 43 base64url characters, without --principal or --scope', () => {
    expect(usageError(['inspect', 'order-1', '--storage-key', '--store', 'redis']).message).toMatch(
      /43 base64url characters/,
    );
    expect(
      usageError(['inspect', STORAGE_KEY, '--storage-key', '--principal', 'a', '--store', 'redis']).message,
    ).toMatch(/--principal and --scope do not apply/);
  });
});

describe('wantsJson', () => {
  it('reads --json before a --, even on a command line that does not parse', () => {
    expect(wantsJson(['inspect', '--json', '--wat'])).toBe(true);
    expect(wantsJson(['key', '--', '--json'])).toBe(false);
  });
});
