/** The command line, parsed strictly (`node:util` `parseArgs`) into one {@link Command}. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parseIdempotencyKey } from '@idempo/core';
import { DEFAULT_COLLECTION } from '@idempo/store-mongo';
import { DEFAULT_SCHEMA, DEFAULT_TABLE } from '@idempo/store-postgres';
import { DEFAULT_PREFIX } from '@idempo/store-redis';
import { UsageError } from './cli-errors.js';
import { STORE_NAMES, type StoreName, type StoreTarget } from './store-target.js';
import { COMMAND_NAMES, type CommandName } from './usage.js';

/** A client's key as the service saw it. */
export interface ClientKey {
  readonly kind: 'client';
  /** The client's `Idempotency-Key`, as parsed (the text inside the quotes of `"abc"`; `<key>` may be either). */
  readonly key: string;
  /** `--principal`, default `''`. */
  readonly principal: string;
  /** `--scope`, default `''`. */
  readonly scope: string;
}

/** A storage key given as it is (`--storage-key`). */
export interface GivenStorageKey {
  readonly kind: 'storage';
  readonly storageKey: string;
}

/** The record a command is about. */
export type KeyRef = ClientKey | GivenStorageKey;

/** What the command line asks for. */
export type Command =
  | { readonly name: 'help'; readonly topic: CommandName | undefined }
  | { readonly name: 'version' }
  | { readonly name: 'key'; readonly key: ClientKey; readonly json: boolean }
  | {
      readonly name: 'inspect' | 'delete';
      readonly key: KeyRef;
      readonly target: StoreTarget;
      readonly json: boolean;
      readonly body: boolean;
      /** `delete --force`; always `false` for `inspect`. */
      readonly force: boolean;
    }
  | { readonly name: 'stats'; readonly target: StoreTarget; readonly json: boolean };

/** Default of `--timeout-ms`. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** Default of `--url` for Redis when `REDIS_URL` is not set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Default of `--url` for PostgreSQL when `DATABASE_URL` is not set. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

const JSON_OPTION: Options = { json: { type: 'boolean' } };
const KEY_OPTIONS: Options = { principal: { type: 'string' }, scope: { type: 'string' } };
const STORE_OPTIONS: Options = {
  store: { type: 'string' },
  url: { type: 'string' },
  prefix: { type: 'string' },
  schema: { type: 'string' },
  table: { type: 'string' },
  database: { type: 'string' },
  collection: { type: 'string' },
  'timeout-ms': { type: 'string' },
};
const RECORD_OPTIONS: Options = { 'storage-key': { type: 'boolean' }, body: { type: 'boolean' } };

const OPTIONS: Record<CommandName, Options> = {
  inspect: { ...JSON_OPTION, ...KEY_OPTIONS, ...RECORD_OPTIONS, ...STORE_OPTIONS },
  delete: { ...JSON_OPTION, ...KEY_OPTIONS, ...RECORD_OPTIONS, ...STORE_OPTIONS, force: { type: 'boolean' } },
  stats: { ...JSON_OPTION, ...STORE_OPTIONS },
  key: { ...JSON_OPTION, ...KEY_OPTIONS },
};

/** The options that belong to one store only. */
const STORE_SPECIFIC: Record<string, StoreName> = {
  prefix: 'redis',
  schema: 'postgres',
  table: 'postgres',
  database: 'mongo',
  collection: 'mongo',
};

/** A storage key: 43 base64url characters (a SHA-256 digest). */
const STORAGE_KEY = /^[A-Za-z0-9_-]{43}$/;

const isCommand = (word: string | undefined): word is CommandName =>
  (COMMAND_NAMES as readonly string[]).includes(word as string);

/** The arguments before a `--` (after it, everything is positional). */
const flagsOf = (args: readonly string[]): readonly string[] => {
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
};

/** Whether the command line asks for JSON, read even from a command line too wrong to parse. */
export function wantsJson(argv: readonly string[]): boolean {
  return flagsOf(argv).includes('--json');
}

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

function timeoutOf(values: Values, command: CommandName): number {
  const given = text(values, 'timeout-ms');
  if (given === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(given);
  if (!/^\d+$/.test(given) || !Number.isSafeInteger(ms) || ms < 1 || ms > 600_000) {
    throw new UsageError(
      `--timeout-ms must be a whole number of ms from 1 to 600000, got "${given}"`,
      command,
    );
  }
  return ms;
}

/** `env[name]` unless unset or empty. */
function fromEnv(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function storeTargetOf(
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
  command: CommandName,
): StoreTarget {
  const name = text(values, 'store');
  if (name === undefined) {
    throw new UsageError(`--store is required: ${STORE_NAMES.join(', ')}`, command);
  }
  if (!(STORE_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--store must be one of ${STORE_NAMES.join(', ')}, got "${name}"`, command);
  }
  for (const [option, owner] of Object.entries(STORE_SPECIFIC)) {
    if (values[option] !== undefined && owner !== name) {
      throw new UsageError(`--${option} is an option of --store ${owner}, not of --store ${name}`, command);
    }
  }
  const timeoutMs = timeoutOf(values, command);
  const url = text(values, 'url');
  switch (name as StoreName) {
    case 'redis':
      return {
        kind: 'redis',
        url: url ?? fromEnv(env, 'REDIS_URL') ?? DEFAULT_REDIS_URL,
        prefix: text(values, 'prefix') ?? DEFAULT_PREFIX,
        timeoutMs,
      };
    case 'postgres':
      return {
        kind: 'postgres',
        url: url ?? fromEnv(env, 'DATABASE_URL') ?? DEFAULT_DATABASE_URL,
        schema: text(values, 'schema') ?? DEFAULT_SCHEMA,
        table: text(values, 'table') ?? DEFAULT_TABLE,
        timeoutMs,
      };
    case 'mongo': {
      const mongoUrl = url ?? fromEnv(env, 'MONGODB_URL');
      if (mongoUrl === undefined) {
        throw new UsageError(
          '--store mongo needs --url or MONGODB_URL (there is no default MongoDB server)',
          command,
        );
      }
      return {
        kind: 'mongo',
        url: mongoUrl,
        database: text(values, 'database'),
        collection: text(values, 'collection') ?? DEFAULT_COLLECTION,
        timeoutMs,
      };
    }
  }
}

function oneKey(positionals: readonly string[], command: CommandName): string {
  if (positionals.length === 0) throw new UsageError(`${command} needs a <key>`, command);
  if (positionals.length > 1) {
    throw new UsageError(
      `${command} takes one <key>, got ${positionals.length}: ${positionals.join(' ')}`,
      command,
    );
  }
  return positionals[0] as string;
}

/**
 * The client's key from `<key>`: a value starting with `"` is the header as the client sent it (an RFC 8941
 * string, escapes and all) and is parsed like the service parses it; anything else is the key itself.
 */
function clientKeyText(given: string, command: CommandName): string {
  if (!given.trimStart().startsWith('"')) return given;
  const parsed = parseIdempotencyKey(given, { maxLength: Number.MAX_SAFE_INTEGER });
  if (!parsed.ok) {
    throw new UsageError(`<key> ${given} is not a valid quoted Idempotency-Key: ${parsed.reason}`, command);
  }
  return parsed.key;
}

function clientKeyOf(given: string, values: Values, command: CommandName): ClientKey {
  return {
    kind: 'client',
    key: clientKeyText(given, command),
    principal: text(values, 'principal') ?? '',
    scope: text(values, 'scope') ?? '',
  };
}

function keyRefOf(positionals: readonly string[], values: Values, command: CommandName): KeyRef {
  const key = oneKey(positionals, command);
  if (!flag(values, 'storage-key')) return clientKeyOf(key, values, command);
  if (values['principal'] !== undefined || values['scope'] !== undefined) {
    throw new UsageError(
      '--storage-key takes the storage key as it is: --principal and --scope do not apply',
      command,
    );
  }
  if (!STORAGE_KEY.test(key)) {
    throw new UsageError(`a storage key is 43 base64url characters (A-Z a-z 0-9 - _), got "${key}"`, command);
  }
  return { kind: 'storage', storageKey: key };
}

/**
 * Parses `argv` (the arguments after `idempo`). Throws {@link UsageError} for anything it does not understand:
 * unknown commands and options, missing values, options of another store.
 */
export function parseCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Command {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0];
    return { name: 'help', topic: isCommand(topic) ? topic : undefined };
  }
  if (first === '--version') return { name: 'version' };
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}"`);
  const command = first;
  const flags = flagsOf(rest);
  if (flags.includes('--help') || flags.includes('-h')) return { name: 'help', topic: command };

  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS[command], allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
  const { values, positionals } = parsed;
  const json = flag(values, 'json');
  switch (command) {
    case 'key':
      return { name: 'key', key: clientKeyOf(oneKey(positionals, command), values, command), json };
    case 'stats':
      if (positionals.length > 0) {
        throw new UsageError(`stats takes no <key>, got ${positionals.join(' ')}`, command);
      }
      return { name: 'stats', target: storeTargetOf(values, env, command), json };
    default:
      return {
        name: command,
        key: keyRefOf(positionals, values, command),
        target: storeTargetOf(values, env, command),
        json,
        body: flag(values, 'body'),
        force: flag(values, 'force'),
      };
  }
}
