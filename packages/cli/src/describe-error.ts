/**
 * A failure as one line an operator can act on: the messages along the `cause` chain (each said once), error
 * codes such as ECONNREFUSED or a SQLSTATE, and a hint for the common causes. Never a stack trace.
 */

/** Hints by error code (Node's network errors, SQLSTATEs, Redis replies). */
const HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing listens there: is the server up, are the host and port right?',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS)',
  ETIMEDOUT: 'the server did not answer the connection',
  EHOSTUNREACH: 'the host cannot be reached',
  '3D000': 'no such database: check the URL',
  '42P01': 'no records table there: check --schema and --table (the store creates it with migrate())',
  '3F000': 'no such schema: check --schema',
  '28P01': 'the password was refused',
  '28000': 'the role is not allowed to connect: check the user in the URL',
  NOAUTH: 'the server wants a password: put it in the URL (redis://:password@host:port)',
  WRONGPASS: 'the user name or password was refused',
};

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  // System and server codes (ECONNREFUSED, 42P01, ERR_...): idempo's own lower-case codes say nothing more.
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
  // Redis replies carry their code as the first word of the message.
  const message = error instanceof Error ? error.message : '';
  return /^(NOAUTH|WRONGPASS)\b/.exec(message)?.[1];
}

function messageOf(error: Error): string {
  if (error.message !== '') return error.message;
  // Node's AggregateError of a failed happy-eyeballs connect has no message of its own, only its attempts'.
  if (error instanceof AggregateError) {
    return error.errors
      .map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner)))
      .join('; ');
  }
  return error.name;
}

/** The messages and codes along `error`'s cause chain, outermost first, each said once. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current); ) {
    seen.add(current);
    if (!(current instanceof Error)) {
      parts.push(String(current));
      break;
    }
    const message = messageOf(current);
    if (!parts.some((part) => part.includes(message))) parts.push(message);
    const code = codeOf(current);
    if (code !== undefined && !parts.some((part) => part.includes(code))) parts.push(`(${code})`);
    current = current.cause;
  }
  return parts.join(': ').replaceAll(': (', ' (');
}

/** What to check, for a failure whose cause is a known one; `undefined` otherwise. */
export function hintFor(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    const code = codeOf(current);
    if (code !== undefined && HINTS[code] !== undefined) return HINTS[code];
    if (current instanceof AggregateError) {
      const inner = current.errors.map(codeOf).find((c) => c !== undefined && HINTS[c] !== undefined);
      if (inner !== undefined) return HINTS[inner];
    }
  }
  return undefined;
}
