/**
 * Where a sampled function lives, as the breakdown counts it: idempo's own code split by part (core's engine,
 * its memory store, its Node layer, a store package, an adapter), a peer library, the framework (anything else in
 * node_modules), the app (the reference routes and the bench's servers), GC, and the runtime (Node's own
 * JavaScript, builtins and native code without a script).
 */
import { fileURLToPath } from 'node:url';
import { type SourceOf, sourceMapOf } from './source-lines.js';

export const BUCKETS = [
  'engine',
  'store',
  'core-node',
  'adapter',
  'peer',
  'framework',
  'app',
  'runtime',
  'gc',
] as const;
export type Bucket = (typeof BUCKETS)[number];

/** What a cpuprofile node says of its function. */
export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

const ADAPTERS = /\/packages\/(fastify|nest|koa|hono|express|web)\/dist\//;
const PEERS = /\/node_modules\/(@node-idempotency|express-idempotency)\//;
const APP = /\/(apps\/reference|apps\/bench|packages\/testing)\//;

/** Classifies call frames; source maps are read once per built file of core. */
export function bucketClassifier(): (frame: CallFrame) => Bucket | 'idle' {
  const maps = new Map<string, SourceOf | undefined>();
  const coreSource = (path: string, frame: CallFrame): string | undefined => {
    if (!maps.has(path)) maps.set(path, sourceMapOf(path));
    return maps.get(path)?.(frame.lineNumber, frame.columnNumber);
  };
  return (frame) => {
    if (frame.functionName === '(idle)') return 'idle';
    if (frame.functionName === '(garbage collector)') return 'gc';
    const url = frame.url;
    if (url === '' || url.startsWith('node:')) return 'runtime';
    const path = url.startsWith('file:') ? fileURLToPath(url) : url;
    if (PEERS.test(path)) return 'peer';
    if (path.includes('/node_modules/')) return 'framework';
    if (path.includes('/packages/core/dist/')) {
      const source = coreSource(path, frame) ?? '';
      if (source.includes('/src/node/')) return 'core-node';
      if (source.endsWith('/memory-store.ts')) return 'store';
      return 'engine';
    }
    if (/\/packages\/store-[a-z]+\/dist\//.test(path)) return 'store';
    if (ADAPTERS.test(path)) return 'adapter';
    if (APP.test(path)) return 'app';
    return 'runtime';
  };
}
