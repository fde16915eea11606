/**
 * The end-to-end matrix: every framework variant of the reference app over the memory, Redis and PostgreSQL
 * stores, each started as a real process from compiled JS and driven over real HTTP by the demo's scenarios
 * (first run, replay, 20 concurrent duplicates, 422, 400 on a missing required key, a throwing handler then its
 * retry, two principals), then stopped with SIGTERM. The demo exits non-zero on any misbehaviour.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const DEMO = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const FRAMEWORKS = ['express', 'fastify', 'hono', 'koa', 'nest-express', 'nest-fastify'] as const;
/** MongoDB joins the matrix where a server is given (there is none on this project's machines). */
const STORES = ['memory', 'redis', 'postgres', ...(process.env['MONGODB_URL'] ? ['mongo'] : [])];
if (!process.env['MONGODB_URL'])
  console.warn('[e2e] MONGODB_URL is not set: the mongo store is not in the matrix.');

describe.each(STORES)('end to end over the %s store', (store) => {
  it.each(FRAMEWORKS)('%s: every scenario passes and the app stops cleanly', async (framework) => {
    const { stdout } = await run(process.execPath, [DEMO, '--framework', framework, '--store', store], {
      timeout: 120_000,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(
        `the demo failed for ${framework}/${store}:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      );
    });
    expect(stdout).toContain(`the reference app on ${framework}, ${store} store`);
    expect(stdout).toMatch(/8 scenarios: 8 passed, 0 failed/);
  });
});
