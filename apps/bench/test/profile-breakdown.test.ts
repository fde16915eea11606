import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bucketClassifier } from '../src/profile/buckets.js';
import { windowTimes } from '../src/profile/cpu-profile.js';
import { decodeLineSources, sourceMapOf } from '../src/profile/source-lines.js';

describe('CPU breakdown', () => {
  it('decodes the source of every mapped segment, line by line', () => {
    // Line 0: column 0 of source 0, column 4 of source 0; line 1: column 0 of source 1; line 2: column 16, source 0.
    expect(decodeLineSources('AAAA,IAAE;ACAA;gBDAA')).toEqual([
      [
        [0, 0],
        [4, 0],
      ],
      [[0, 1]],
      [[16, 0]],
    ]);
  });

  it('tells the engine, the memory store and the Node layer apart inside one built chunk of core', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'breakdown-')), 'packages', 'core', 'dist');
    mkdirSync(dir, { recursive: true });
    const chunk = join(dir, 'chunk-X.js');
    writeFileSync(chunk, '');
    // Line 0 from src/engine.ts, line 1 from src/memory-store.ts, line 2 from src/node/patch-response.ts.
    writeFileSync(
      `${chunk}.map`,
      JSON.stringify({
        version: 3,
        sources: ['../src/engine.ts', '../src/memory-store.ts', '../src/node/patch-response.ts'],
        mappings: 'AAAA;ACAA;ACAA',
      }),
    );
    expect(sourceMapOf(chunk)?.(1, 3)).toBe(join(dir, '..', 'src', 'memory-store.ts'));
    const classify = bucketClassifier();
    const url = pathToFileURL(chunk).href;
    const at = (lineNumber: number) => classify({ functionName: 'f', url, lineNumber, columnNumber: 2 });
    expect([at(0), at(1), at(2)]).toEqual(['engine', 'store', 'core-node']);
    expect(classify({ functionName: '(garbage collector)', url: '', lineNumber: -1, columnNumber: -1 })).toBe(
      'gc',
    );
    expect(classify({ functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 })).toBe('idle');
    expect(
      classify({ functionName: 'x', url: 'node:internal/streams', lineNumber: 0, columnNumber: 0 }),
    ).toBe('runtime');
    const nm = (path: string) =>
      classify({
        functionName: 'x',
        url: `file:///w/node_modules/.pnpm/p/node_modules/${path}`,
        lineNumber: 0,
        columnNumber: 0,
      });
    expect(nm('fastify/lib/route.js')).toBe('framework');
    expect(nm('@node-idempotency/core/dist/index.js')).toBe('peer');
    expect(
      classify({
        functionName: 'x',
        url: 'file:///w/packages/fastify/dist/index.js',
        lineNumber: 0,
        columnNumber: 0,
      }),
    ).toBe('adapter');
  });

  it('counts only the samples inside the window, each for the time until the next sample', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'breakdown-')), 'p.cpuprofile');
    const frame = (functionName: string) => ({ functionName, url: '', lineNumber: -1, columnNumber: -1 });
    writeFileSync(
      file,
      JSON.stringify({
        nodes: [
          { id: 1, callFrame: frame('(garbage collector)') },
          { id: 2, callFrame: frame('(idle)') },
          { id: 3, callFrame: frame('(program)') },
        ],
        startTime: 1000,
        // Samples at 1010 (gc), 1020 (idle), 1050 (program), 1100 (gc, outside a window ending at 1060).
        samples: [1, 2, 3, 1],
        timeDeltas: [10, 10, 30, 50],
      }),
    );
    const times = windowTimes(file, 1005, 1060);
    expect(times.samples).toBe(3);
    expect(times.us.gc).toBe(10);
    expect(times.idleUs).toBe(30);
    expect(times.us.runtime).toBe(50);
  });

  it('lists the functions with the most self time, each with its nearest caller of another bucket', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'breakdown-')), 'p.cpuprofile');
    const at = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9, columnNumber: 0 });
    writeFileSync(
      file,
      JSON.stringify({
        nodes: [
          { id: 1, callFrame: at('(root)', ''), children: [2] },
          { id: 2, callFrame: at('send', 'file:///w/node_modules/fastify/lib/reply.js'), children: [3] },
          { id: 3, callFrame: at('end', 'node:_http_outgoing'), children: [4] },
          { id: 4, callFrame: at('writev', '') },
        ],
        startTime: 0,
        // writev twice (20 + 10 µs), end once (5 µs), send once (40 µs, outside the window at its end).
        samples: [4, 3, 4, 2],
        timeDeltas: [10, 20, 5, 10, 40],
      }),
    );
    const { top } = windowTimes(file, 0, 40, 2);
    expect(top).toEqual([
      {
        bucket: 'runtime',
        fn: 'writev :10',
        via: 'framework: send fastify/lib/reply.js:10',
        us: 30,
      },
      {
        bucket: 'runtime',
        fn: 'end node:_http_outgoing:10',
        via: 'framework: send fastify/lib/reply.js:10',
        us: 5,
      },
    ]);
    expect(windowTimes(file, 0, 40).top).toEqual([]);
  });
});
