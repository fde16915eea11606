/**
 * Starts the compiled reference app as a real process, waits for its `listening on` line, and stops it the way
 * an operator would. Shared by the reference app's own tests, the demo and the reliability suites.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** dist/main.js, from src/ (tests) or dist/ (the built module) alike. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** A running reference app. */
export interface ReferenceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** What it wrote to stdout so far (the protocol: the one `listening on` line). */
  stdout(): string;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code; at once if it has already exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `node dist/main.js ...args` and resolves once it listens; rejects if it exits first or after `timeoutMs`. */
export function startReference(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<ReferenceProcess> {
  return startServerProcess([MAIN, ...args], env, timeoutMs);
}

/**
 * Spawns `node ...nodeArgs` (a script and its arguments, node flags first) for any server that speaks the
 * reference app's protocol (one `listening on <url>` line on stdout), and resolves once it listens. With a
 * `launcher` (a command and its arguments, e.g. `['valgrind', '--tool=callgrind']`), runs
 * `launcher... node ...nodeArgs` instead; the child is then the launcher's process.
 */
export function startServerProcess(
  nodeArgs: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
  launcher: readonly string[] = [],
): Promise<ReferenceProcess> {
  const [command = process.execPath, ...launcherArgs] = launcher;
  const args = launcher.length === 0 ? nodeArgs : [...launcherArgs, process.execPath, ...nodeArgs];
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr:\n${stderr}`));
    };
    child.once('exit', onEarlyExit);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^listening on (http:\/\/\S+)$/m.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      resolve({
        url: match[1] as string,
        child,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill(signal);
          return exited;
        },
      });
    });
  });
}
