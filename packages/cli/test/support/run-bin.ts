/**
 * Runs the BUILT command (`node dist/bin.js`) as a process, as a user would, and times it: from the spawn to
 * the exit, and from its last output to the exit (a connection left open would keep the process alive there).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built bin. `pnpm run build` (turbo runs it before the tests) makes it. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** What one run of the command did. */
export interface BinRun {
  /** The exit code (`null` when killed). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from the spawn to the exit. */
  readonly ms: number;
  /** Milliseconds from the last byte written to the exit. */
  readonly lingerMs: number;
}

/** Runs `idempo ...args` with the environment `env` added; kills it after `killAfterMs`. */
export function runBin(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  killAfterMs = 30_000,
): Promise<BinRun> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm run build first`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let last = started;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      last = performance.now();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      last = performance.now();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const ended = performance.now();
      resolve({ code, stdout, stderr, ms: ended - started, lingerMs: ended - last });
    });
  });
}
