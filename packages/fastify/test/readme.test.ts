/** The README's quick start runs as written (listening replaced by `inject`), and does what its comments say. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const quickStart = /## Quick start\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const file = new URL(`./quick-start-${process.pid}.tmp.mjs`, import.meta.url);
afterAll(() => rmSync(file, { force: true }));

it('the quick start: the first POST is a 201, the retry replays it', async () => {
  expect(quickStart).toContain('await app.listen({ port: 3000 });');
  // The quick start is plain JavaScript: run it as a module of this package, exporting the app instead of listening.
  writeFileSync(
    file,
    quickStart
      .replace("from '@idempo/fastify'", "from '../src/index.js'")
      .replace('await app.listen({ port: 3000 });', 'export { app };'),
  );
  const { app } = (await import(file.href)) as { app: FastifyInstance };
  const post = () =>
    app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'idempotency-key': '"k1"', 'content-type': 'application/json' },
      payload: '{"item":"book"}',
    });
  const first = await post();
  expect(first.statusCode).toBe(201);
  expect(first.json()).toEqual({ id: 1, order: { item: 'book' } });
  const retry = await post();
  expect(retry.statusCode).toBe(201);
  expect(retry.headers['idempotent-replayed']).toBe('true');
  expect(retry.json()).toEqual({ id: 1, order: { item: 'book' } });
  await app.close();
});
