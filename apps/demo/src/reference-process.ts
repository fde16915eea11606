/**
 * Starts the compiled reference app (apps/reference) as a real process, reads its `listening on` line, and stops
 * it with SIGTERM, as an operator would.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../reference/dist/main.js', import.meta.url));

/** A running reference app. */
export interface RunningReference {
  readonly url: string;
  /** What the app wrote to stderr (its start-up line names the framework and the store). */
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns the app with `args` and resolves once it listens (rejects after `timeoutMs`). */
export function startReference(args: readonly string[], timeoutMs = 60_000): Promise<RunningReference> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the reference app did not start within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the reference app exited with ${code}\n${stderr}`));
    };
    child.once('exit', early);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /^listening on (http:\/\/\S+)$/m.exec(stdout);
      if (!found) return;
      clearTimeout(timer);
      child.off('exit', early);
      resolve({
        url: found[1] as string,
        stderr: () => stderr,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}
