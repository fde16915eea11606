/** The README's quick start runs as printed (on a free port instead of 3000) and does what its comment says. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const CHECKS = `
await new Promise((resolve) => server.once('listening', resolve));
const url = 'http://127.0.0.1:' + server.address().port;
const post = async (path, key) => {
  const headers = { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) };
  const res = await fetch(url + path, { method: 'POST', headers, body: '{"item":"book"}' });
  return [res.status, res.headers.get('idempotent-replayed'), await res.text()];
};
const results = [await post('/orders', '"a1"'), await post('/orders', '"a1"'), await post('/payments')];
server.close();
process.stdout.write(JSON.stringify(results));
`;

it('README quick start: a POST with a key is 201, the same again is replayed; /payments requires a key', () => {
  if (!existsSync(`${ROOT}dist/index.js`)) execFileSync('npx', ['tsup'], { cwd: ROOT, stdio: 'ignore' });
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const quickStart = (/```js\n([\s\S]*?)```/.exec(readme)?.[1] ?? '').replace(
    'app.listen(3000);',
    "const server = app.listen(0, '127.0.0.1');",
  );
  expect(quickStart).toContain('const server = app.listen(0');
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', quickStart + CHECKS], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const [first, second, payment] = JSON.parse(output) as [number, string | null, string][];
  expect(first).toEqual([201, null, '{"id":1,"item":"book"}']);
  expect(second).toEqual([201, 'true', '{"id":1,"item":"book"}']);
  expect(payment?.[0]).toBe(400);
});
