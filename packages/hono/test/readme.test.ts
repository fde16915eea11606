/** The README's quick start runs as printed (against the built package) and does what its curl lines say. */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, PACKAGE_ROOT } from './support/build.js';

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
const quickStart = (/## Quick start\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '').trim();
// Inside the package, so that `@idempo/hono` resolves to the package itself (dist) and hono from node_modules.
const app = join(PACKAGE_ROOT, 'test/.readme-quick-start.mjs');
const driver = join(PACKAGE_ROOT, 'test/.readme-driver.mjs');

beforeAll(() => {
  ensureBuilt();
  writeFileSync(app, `${quickStart}\n`);
  writeFileSync(
    driver,
    `import app from './.readme-quick-start.mjs';
const send = () => app.request('/api/orders', { method: 'POST', headers: { 'Idempotency-Key': '"k1"' }, body: '{"item":"book"}' });
const seen = async (res) => ({ status: res.status, replayed: res.headers.get('idempotent-replayed'), body: await res.json() });
console.log(JSON.stringify([await seen(await send()), await seen(await send())]));
`,
  );
}, 120_000);
afterAll(() => {
  rmSync(app, { force: true });
  rmSync(driver, { force: true });
});

it('the quick start answers 201 with id 1, then replays it', async () => {
  expect(quickStart.split('\n').length).toBeLessThanOrEqual(10);
  const { stdout } = await promisify(execFile)(process.execPath, [driver], { cwd: PACKAGE_ROOT });
  expect(JSON.parse(stdout)).toEqual([
    { status: 201, replayed: null, body: { id: 1, item: 'book' } },
    { status: 201, replayed: 'true', body: { id: 1, item: 'book' } },
  ]);
});
