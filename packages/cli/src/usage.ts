/** The help texts of `idempo` and of each command. */

/** The commands. */
export const COMMAND_NAMES = ['inspect', 'delete', 'stats', 'key'] as const;

/** One of {@link COMMAND_NAMES}. */
export type CommandName = (typeof COMMAND_NAMES)[number];

const KEY_OPTIONS = `  --principal <p>      the principal the service derived for the caller (default '': keys are global)
  --scope <s>          the scope of the route (default '')`;

const STORE_OPTIONS = `  --store <name>       redis | postgres | mongo (required)
  --url <url>          redis: default $REDIS_URL, else redis://127.0.0.1:6379
                       postgres: default $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
                       mongo: default $MONGODB_URL (no default server)
  --prefix <p>         redis: the store's key prefix (default idempo:)
  --schema <s>         postgres: the table's schema (default public)
  --table <t>          postgres: the records table (default idempo_records)
  --database <d>       mongo: the database (default: the one the URL names)
  --collection <c>     mongo: the collection (default idempo_records)
  --timeout-ms <n>     bound of connecting and of each store operation (default 5000)`;

const RECORD_OPTIONS = `  --storage-key        <key> is already the storage key (43 characters, e.g. from an event's keyHash)
  --body               print the stored response body too (it may hold personal data)
  --json               one JSON object on stdout (fields: see the README)`;

const EXIT_CODES = `exit codes: 0 found/done, 1 no record, 2 usage error, 3 store unreachable or store error, 4 refused`;

const HELP: Record<CommandName, string> = {
  inspect: `usage: idempo inspect <key> --store <redis|postgres|mongo> [options]

Shows the record of a client's Idempotency-Key: its state (in flight, lease running or ended; completed), the
fingerprint of the request that reserved it, when, its retention, the stored response (status, headers, body
size) and what a retry with the key gets now: 409, the stored response, or 422 with another request body.
Reads only: never takes a record over, extends or drops it. Relative times ("lease ends in 12 s") and whether
the lease runs are computed with this machine's clock; the store decides by its own.

${KEY_OPTIONS}
${RECORD_OPTIONS}
${STORE_OPTIONS}

A key that starts with "-" goes after "--": idempo inspect --store redis -- -abc
${EXIT_CODES}`,
  delete: `usage: idempo delete <key> --store <redis|postgres|mongo> [--force] [options]

Shows the record, then deletes it: the next request with the key runs afresh. The store decides and deletes in
one atomic step, by its own clock: a completed record, or an in-flight one whose lease has ended (its handler is
presumed dead), is deleted; an in-flight record whose lease still runs is kept and the command refused (exit 4)
unless --force: its handler may still be running, and deleting the record lets a retry run the request a second
time while the first one runs.

  --force              delete an in-flight record even while its lease runs (by the store's clock)
${KEY_OPTIONS}
${RECORD_OPTIONS}
${STORE_OPTIONS}

${EXIT_CODES}`,
  stats: `usage: idempo stats --store <redis|postgres|mongo> [--json] [options]

Counts the live records of the store by state: in flight (lease running: a retry gets 409), lease ended (the
handler is presumed dead: the next retry takes over) and completed (a retry gets the stored response). Reads
every record, in batches: an operator's tool, not something to run per request.

  --json               one JSON object on stdout
${STORE_OPTIONS}

${EXIT_CODES}`,
  key: `usage: idempo key <key> [--principal <p>] [--scope <s>] [--json]

Prints the storage key of a client's Idempotency-Key: the digest the store keeps the record under, and the
keyHash of every idempo event about it, to grep logs and events. Opens no store.

${KEY_OPTIONS}
  --json               one JSON object on stdout

${EXIT_CODES}`,
};

/** The help of `command`, or of `idempo` itself. */
export function helpText(command?: CommandName): string {
  if (command !== undefined) return `${HELP[command]}\n`;
  return `usage: idempo <command> [options]

Finds and explains the idempotency record behind a client's Idempotency-Key, in Redis, PostgreSQL or MongoDB.

commands:
  inspect <key>   show the record, and what a retry with the key gets now
  delete <key>    delete the record (refuses an in-flight one whose lease runs, unless --force)
  stats           count the records by state
  key <key>       print the storage key (no store needed)

  idempo <command> --help   the options of a command
  idempo --version          the version

${EXIT_CODES}
`;
}
