/**
 * Private redis-server processes for the tests that stop, pause or watch a server: each on free loopback ports,
 * in its own temporary directory, nothing saved to disk. Only servers started here are ever stopped, and never
 * the shared one.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { SHARED_PORT } from './shared-redis.js';

const run = promisify(execFile);

/** `redis-cli -p port ...args`, its standard output trimmed. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 30_000,
  });
  return stdout.trim();
}

/** `redis-server --version`, e.g. `Redis server v=7.0.15 ...`. */
export async function redisServerVersion(): Promise<string> {
  const { stdout } = await run('redis-server', ['--version']);
  return stdout.trim();
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await redisCli(port, 'ping')) === 'PONG';
  } catch {
    return false;
  }
}

/** A redis-server this process started. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Starts it again on the same port (after {@link PrivateRedis.stop}). */
  start(): Promise<void>;
  /** `SHUTDOWN NOSAVE`, then waits until the port no longer answers. */
  stop(): Promise<void>;
  /** Stops it (if running) and removes its directory. */
  destroy(): Promise<void>;
}

function guard(port: number): void {
  if (port === SHARED_PORT || port === 6379)
    throw new Error(`refusing to manage the shared Redis on ${port}`);
}

/** Starts `redis-server --port P --daemonize yes ...extraArgs`; waits until it answers PING. */
export async function launch(port: number, dir: string, extraArgs: readonly string[] = []): Promise<void> {
  guard(port);
  const log = join(dir, `redis-${port}.log`);
  await run('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--daemonize',
    'yes',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--pidfile',
    join(dir, `redis-${port}.pid`),
    '--logfile',
    log,
    ...extraArgs,
  ]);
  for (let i = 0; i < 150; i++) {
    if (await answers(port)) return;
    await sleep(100);
  }
  const text = await readFile(log, 'utf8').catch(() => '(no log)');
  throw new Error(`redis-server on port ${port} did not answer PING:\n${text.slice(-2000)}`);
}

/** `SHUTDOWN NOSAVE` on a server this process started; waits until the port no longer answers. */
export async function shutdown(port: number): Promise<void> {
  guard(port);
  await redisCli(port, 'shutdown', 'nosave').catch(() => undefined);
  for (let i = 0; i < 150; i++) {
    if (!(await answers(port))) return;
    await sleep(100);
  }
  throw new Error(`redis-server on port ${port} is still answering after SHUTDOWN`);
}

/** Starts a standalone redis-server on a free port, in a new temporary directory. */
export async function startPrivateRedis(
  label: string,
  extraArgs: readonly string[] = [],
): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), `idempo-${label}-`));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      await launch(port, dir, extraArgs);
    } catch (error) {
      lastError = error;
      continue;
    }
    let running = true;
    return {
      port,
      dir,
      url: `redis://127.0.0.1:${port}`,
      start: async () => {
        await launch(port, dir, extraArgs);
        running = true;
      },
      stop: async () => {
        await shutdown(port);
        running = false;
      },
      destroy: async () => {
        if (running) await shutdown(port);
        running = false;
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}
