/**
 * Several worker processes of the compiled reference app sharing ONE store (same `--namespace`), as several
 * instances behind a load balancer would. Requests are spread over the workers by the caller.
 */
import { type ReferenceProcess, startReference } from '@idempo/reference/process';

/** One running worker. */
export type Worker = ReferenceProcess;

/** What every worker of a pool is started with. */
export interface PoolOptions {
  readonly framework: 'express' | 'fastify' | 'hono' | 'koa' | 'nest-express' | 'nest-fastify';
  readonly store: 'memory' | 'redis' | 'postgres' | 'mongo';
  readonly workers: number;
  /** Shared by every worker so that they see the same records. Default: a fresh one. */
  readonly namespace?: string;
  readonly leaseMs?: number;
  /** Extra environment (REDIS_URL, DATABASE_URL of a private server). */
  readonly env?: NodeJS.ProcessEnv;
}

/** A fresh namespace: lower-case letters and digits. */
export function freshNamespace(prefix = 'rel'): string {
  return `${prefix}${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** Starts one worker and resolves when it listens. */
export function startWorker(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Worker> {
  return startReference(args, env);
}

/** Starts `workers` processes over one shared namespace. */
export async function startPool(
  options: PoolOptions,
): Promise<{ workers: Worker[]; namespace: string; stop(): Promise<void> }> {
  const namespace = options.namespace ?? freshNamespace();
  const args = [
    '--framework',
    options.framework,
    '--store',
    options.store,
    '--port',
    '0',
    '--namespace',
    namespace,
  ];
  if (options.leaseMs !== undefined) args.push('--lease-ms', String(options.leaseMs));
  const workers = await Promise.all(
    Array.from({ length: options.workers }, () => startWorker(args, options.env)),
  );
  return {
    workers,
    namespace,
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    },
  };
}

/** Sum of the executions of `route` over every worker's `GET /stats`. */
export async function totalExecutions(workers: readonly Worker[], route = 'POST /orders'): Promise<number> {
  let total = 0;
  for (const worker of workers) {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) continue;
    const stats = (await (await fetch(`${worker.url}/stats`)).json()) as {
      executions: Record<string, number>;
    };
    total += stats.executions[route] ?? 0;
  }
  return total;
}
