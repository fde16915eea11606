/**
 * The compiled reference app (apps/reference) as real processes for the client's tests: each start is remembered
 * so that `stopApps` ends every process a test started, its counters are read over HTTP, and a namespace on the
 * Redis at REDIS_URL is deleted key by key (SCAN + UNLINK, never a flush) once the test is done.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type ReferenceProcess, startReference } from '@idempo/reference/process';

const run = promisify(execFile);

/** The shared Redis the reference app uses by default. */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const started: ReferenceProcess[] = [];

/** Starts `node dist/main.js ...args` and remembers it for {@link stopApps}. */
export async function startApp(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ReferenceProcess> {
  const app = await startReference(args, env);
  started.push(app);
  return app;
}

/**
 * Ends every app started since the last call: SIGTERM, then SIGKILL after `graceMs`. The grace is needed: after
 * an aborted request Node's fetch (undici) opens a new connection that sends nothing, the server's close waits for
 * it, and the client may hold it for a minute. An app killed this way leaves its store namespace behind, so the
 * Redis apps of these tests get a `--namespace` that the test deletes itself.
 */
export async function stopApps(graceMs = 3_000): Promise<void> {
  const apps = started.splice(0);
  await Promise.all(
    apps.map(async (app) => {
      const timer = setTimeout(() => void app.stop('SIGKILL'), graceMs);
      try {
        await app.stop('SIGTERM');
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

/** `executions["POST /payments"]` of the app's `GET /stats`. */
export async function paymentsExecuted(url: string): Promise<number> {
  const res = await fetch(`${url}/stats`);
  const stats = (await res.json()) as { executions: Record<string, number> };
  return stats.executions['POST /payments'] ?? 0;
}

/** Resolves once `condition` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A namespace for `--namespace` (a-z, 0-9) that no other run uses. */
export function freshNamespace(): string {
  return `client${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** Deletes the reference app's keys of `namespace` on the shared Redis; returns how many there were. */
export async function deleteNamespace(namespace: string): Promise<number> {
  const cli = (...args: string[]) => run('redis-cli', ['-u', REDIS_URL, ...args], { timeout: 10_000 });
  const { stdout } = await cli('--scan', '--pattern', `idempo-ref:${namespace}:*`);
  const keys = stdout.split('\n').filter((key) => key !== '');
  if (keys.length > 0) await cli('unlink', ...keys);
  return keys.length;
}
