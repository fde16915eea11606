/**
 * A private redis-server for the fault tests: started on a free port, so that stopping, restarting or pausing it
 * never touches the shared 127.0.0.1:6379. It keeps nothing (`--save '' --appendonly no`), so a restart is empty.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** One private redis-server, by port. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Runs `redis-cli -p <port> <args>` and resolves with its trimmed output. */
  cli(...args: string[]): Promise<string>;
  /** Starts (or restarts) the server on the same port, empty, and resolves once it answers PING. */
  start(): Promise<void>;
  /** `SHUTDOWN NOSAVE`, then waits until the port refuses PING. */
  shutdown(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function ping(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'ping'], { timeout: 2_000 });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

/** A private redis-server on a free port, not started yet. */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async cli(...args: string[]) {
      const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 10_000 });
      return stdout.trim();
    },
    async start() {
      await run(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'yes',
          '--logfile',
          '',
          '--pidfile',
          `/tmp/idempo-faults-redis-${port}.pid`,
        ],
        { timeout: 10_000 },
      );
      for (let i = 0; i < 100; i++) {
        if (await ping(port)) return;
        await sleep(50);
      }
      throw new Error(`private redis-server on port ${port} did not answer PING within 5 s`);
    },
    async shutdown() {
      // The server closes the connection as it exits: redis-cli may report an error, which says nothing.
      await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { timeout: 10_000 }).catch(
        () => undefined,
      );
      for (let i = 0; i < 100; i++) {
        if (!(await ping(port))) return;
        await sleep(50);
      }
      throw new Error(`private redis-server on port ${port} still answers after SHUTDOWN NOSAVE`);
    },
  };
}
