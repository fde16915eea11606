/**
 * Starts one README quick start in its own Node process in the temp project, on a free port
 * (listen-preload.cjs), sends its README's request with one fresh key twice, and stops it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CurlRequest } from './discover.js';
import { userEnv } from './project.js';

const PRELOAD = fileURLToPath(new URL('./listen-preload.cjs', import.meta.url));

/** What one response was: status, replay header, body. */
export interface Seen {
  readonly status: number;
  readonly replayed: string | null;
  readonly body: string;
}

/** Waits for the child's first server to listen; rejects with its output when it exits or stays silent. */
function listening(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no server listened within ${timeoutMs} ms:\n${output()}`)),
      timeoutMs,
    );
    child.on('message', (message: { listening?: { address: string; port: number } }) => {
      if (message.listening === undefined) return;
      clearTimeout(timer);
      const { address, port } = message.listening;
      const host = address === '::' || address === '0.0.0.0' ? '127.0.0.1' : address;
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the quick start exited (${code ?? signal}) before it listened:\n${output()}`));
    });
  });
}

/** Stops the child: SIGTERM, then SIGKILL after 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Runs `file` (a runnable form of a quick start, in `projectDir`) and sends `request` twice with the same new
 * `Idempotency-Key` (the README's `"k1"` replaced by a unique one, so that a shared store never answers from an
 * earlier run). Returns both responses and the process' output.
 */
export async function serveTwice(
  projectDir: string,
  file: string,
  request: CurlRequest,
): Promise<{ readonly first: Seen; readonly second: Seen; readonly output: string }> {
  let output = '';
  const child = fork(join(projectDir, 'run-quick-start.mjs'), [join(projectDir, file)], {
    cwd: projectDir,
    env: userEnv(),
    execArgv: ['--require', PRELOAD],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    const origin = await listening(child, () => output, 60_000);
    const headers = { ...request.headers, 'idempotency-key': `"pack-test-${randomUUID()}"` };
    const send = async (): Promise<Seen> => {
      const init: RequestInit = { method: request.method, headers };
      if (request.body !== undefined) init.body = request.body;
      const response = await fetch(`${origin}${request.path}`, init);
      return {
        status: response.status,
        replayed: response.headers.get('idempotent-replayed'),
        body: await response.text(),
      };
    };
    const first = await send();
    const second = await send();
    return { first, second, output };
  } finally {
    await stop(child);
  }
}
