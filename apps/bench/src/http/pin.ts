/**
 * CPU pinning with taskset: the server under test gets CPU 0 and the load generator the others, so that the load
 * generator never takes the server's core and the figures of successive runs compare. Redis and PostgreSQL are
 * left to the scheduler. A no-op where taskset or a second CPU is missing.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

function taskset(cpus: string, pid: number): boolean {
  try {
    execFileSync('taskset', ['-apc', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether pinning can work here. */
export const canPin = availableParallelism() >= 2;

/** Pins the server process `pid` (all its threads) to CPU 0. */
export function pinServer(pid: number): boolean {
  return canPin && taskset('0', pid);
}

/** Pins this process (the load generator) to every CPU but 0. */
export function pinLoadGenerator(): boolean {
  const last = availableParallelism() - 1;
  return canPin && taskset(last === 1 ? '1' : `1-${last}`, process.pid);
}
