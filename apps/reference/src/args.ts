/** The command line of the reference app (docs/reference-app.md "Starting it"). */

/** The framework variants. */
export const FRAMEWORKS = ['express', 'fastify', 'hono', 'koa', 'nest-express', 'nest-fastify'] as const;
/** The stores; `none` serves the same routes on the bare framework, without idempo (the benchmarks' baseline). */
export const STORES = ['memory', 'redis', 'postgres', 'mongo', 'none'] as const;

export type FrameworkName = (typeof FRAMEWORKS)[number];
export type StoreName = (typeof STORES)[number];

/** The parsed command line. */
export interface ReferenceArgs {
  readonly framework: FrameworkName;
  readonly store: StoreName;
  /** 0 picks a free port. Default 0. */
  readonly port: number;
  readonly host: string;
  /** Default core's 30 000. */
  readonly leaseMs: number | undefined;
  /** Default core's 86 400 000. */
  readonly ttlMs: number | undefined;
  /**
   * The store's key prefix or table suffix. Default: a fresh random one per start; processes that must share
   * records (several workers over one store) pass the same value.
   */
  readonly namespace: string | undefined;
}

export const USAGE = `usage: node dist/main.js --framework <${FRAMEWORKS.join('|')}> --store <${STORES.join('|')}>
       [--port 0] [--host 127.0.0.1] [--lease-ms 30000] [--ttl-ms 86400000] [--namespace <name>]
environment: REDIS_URL (default redis://127.0.0.1:6379), DATABASE_URL (default
             postgres://postgres@127.0.0.1:5432/postgres), MONGODB_URL (no default)`;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${value ?? 'nothing'}`);
  }
  return value as T;
}

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}, got ${value}`);
  return n;
}

/** Parses `argv` (without node and the script). Throws with a readable message. */
export function parseArgs(argv: readonly string[]): ReferenceArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) values.set(arg.slice(2, eq), arg.slice(eq + 1));
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      values.set(arg.slice(2), next);
      i++;
    }
  }
  const known = new Set(['framework', 'store', 'port', 'host', 'lease-ms', 'ttl-ms', 'namespace']);
  for (const name of values.keys()) if (!known.has(name)) throw new Error(`unknown option --${name}`);
  const namespace = values.get('namespace');
  if (namespace !== undefined && !/^[a-z0-9_]{1,40}$/.test(namespace)) {
    throw new Error('--namespace must be 1-40 characters of a-z, 0-9 and _');
  }
  return {
    framework: oneOf('framework', values.get('framework'), FRAMEWORKS),
    store: oneOf('store', values.get('store'), STORES),
    port: integer('port', values.get('port'), 0) ?? 0,
    host: values.get('host') ?? '127.0.0.1',
    leaseMs: integer('lease-ms', values.get('lease-ms'), 1),
    ttlMs: integer('ttl-ms', values.get('ttl-ms'), 1),
    namespace,
  };
}
