/**
 * A private 3-master Redis Cluster on free loopback ports (client ports and cluster-bus ports), in a temporary
 * directory; stopped node by node and removed afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './free-port.js';
import { launch, redisCli, shutdown } from './redis-server.js';

const run = promisify(execFile);

/** A running private cluster. */
export interface PrivateCluster {
  /** The client ports of the three masters. */
  readonly ports: readonly number[];
  readonly dir: string;
  /** Stops exactly these three servers and removes the directory. */
  destroy(): Promise<void>;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function clusterOk(port: number): Promise<boolean> {
  try {
    return (await redisCli(port, 'cluster', 'info')).includes('cluster_state:ok');
  } catch {
    return false;
  }
}

/** Starts three cluster-enabled servers, creates the cluster, waits for `cluster_state:ok` on every node. */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'idempo-cluster-'));
  const all = await freePorts(6);
  const ports = all.slice(0, 3);
  const busPorts = all.slice(3);
  const started: number[] = [];
  const destroy = async () => {
    for (const port of started) await shutdown(port).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, port] of ports.entries()) {
      await launch(port, dir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-port',
        String(busPorts[i]),
        '--cluster-node-timeout',
        '5000',
      ]);
      started.push(port);
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 60_000 },
    );
    for (let i = 0; i < 300; i++) {
      const states = await Promise.all(ports.map(clusterOk));
      if (states.every(Boolean)) return { ports, dir, destroy };
      await sleep(100);
    }
    throw new Error(`cluster on ${ports.join(', ')} did not reach cluster_state:ok`);
  } catch (error) {
    await destroy();
    throw error;
  }
}
