/**
 * The README's quick starts run as printed, each on its runtime, against the built package: Bun.serve on Bun and
 * Deno.serve on Deno (a free port in place of 3000), the Worker in workerd (miniflare), the Next.js route handler
 * on Node, called as Next calls it. Each answers the README's two curl lines: 201 with id 1, then its replay.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Miniflare } from 'miniflare';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, PACKAGE_ROOT } from './support/build.js';

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
const bin = fileURLToPath(new URL('../../../node_modules/.bin/', import.meta.url));
const dist = join(PACKAGE_ROOT, 'dist/index.js');
const core = join(PACKAGE_ROOT, 'node_modules/@idempo/core/dist/index.js');
const written: string[] = [];
const children: ChildProcess[] = [];

/** The code block under `### <heading>` in the quick start. */
function example(heading: string): string {
  const code = new RegExp(`### ${heading}\\n\\n\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  if (code === undefined) throw new Error(`README has no ts block under ### ${heading}`);
  return code;
}

/** The example with the packages resolved to the built files (Deno's npm: specifiers too). */
function resolved(code: string): string {
  return code
    .replaceAll(/'(?:npm:)?@idempo\/web'/g, `'${dist}'`)
    .replaceAll(/'(?:npm:)?@idempo\/core'/g, `'${core}'`);
}

/**
 * Inside the package (Deno finds node_modules from there) but outside src and test, so that typecheck never
 * sees the examples (they use Bun's and Deno's globals); git-ignored.
 */
const examples = join(PACKAGE_ROOT, '.readme-examples');
mkdirSync(examples, { recursive: true });

function write(name: string, code: string): string {
  const path = join(examples, name);
  writeFileSync(path, code);
  written.push(path);
  return path;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The README's two curl lines, through `send`. */
async function curlTwice(send: (init: RequestInit) => Promise<Response>): Promise<unknown[]> {
  const init = { method: 'POST', headers: { 'Idempotency-Key': '"k1"' }, body: '{"item":"book"}' };
  const seen = async (res: Response) => ({
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    body: await res.json(),
  });
  return [await seen(await send(init)), await seen(await send(init))];
}

/** Runs a server example on `command` and sends the curl lines once it answers. */
async function served(
  command: string,
  args: (file: string) => string[],
  heading: string,
): Promise<unknown[]> {
  const port = await freePort();
  const file = write(
    `.readme-${heading.replace(/\W/g, '').toLowerCase()}.ts`,
    resolved(example(heading)).replace('port: 3000', `port: ${port}`),
  );
  const child = spawn(command, args(file), { cwd: PACKAGE_ROOT, stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}/orders/main`;
  // Listening once a TCP connection is accepted (an HTTP probe would run the handler).
  for (let tries = 0; !(await accepts(port)); tries++) {
    if (tries > 300) throw new Error(`${command} never listened on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    return await curlTwice((init) => fetch(url, init));
  } finally {
    child.kill();
  }
}

/** An example bundled to one ES module (types stripped, the built packages inlined). */
async function bundled(heading: string): Promise<string> {
  const entry = write(`.readme-${heading.replace(/\W/g, '').toLowerCase()}.ts`, resolved(example(heading)));
  const outDir = mkdtempSync(join(tmpdir(), 'idempo-web-readme-'));
  await build({
    entry: { example: entry },
    format: ['esm'],
    outDir,
    noExternal: [/.*/],
    external: [/^node:/],
    platform: 'neutral',
    target: 'es2022',
    splitting: false,
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
  });
  return join(outDir, 'example.js');
}

const expected = (extra: Record<string, unknown> = {}) => [
  { status: 201, replayed: null, body: { id: 1, item: 'book', ...extra } },
  { status: 201, replayed: 'true', body: { id: 1, item: 'book', ...extra } },
];

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
  for (const path of written) rmSync(path, { force: true });
  rmSync(examples, { recursive: true, force: true });
});

describe('the README quick starts', () => {
  it('C15 the Bun.serve example answers 201 with id 1, then replays it', async () => {
    expect(await served(join(bin, 'bun'), (file) => [file], 'Bun.serve')).toEqual(expected());
  }, 60_000);

  it('C15 the Deno.serve example answers 201 with id 1, then replays it', async () => {
    expect(await served(join(bin, 'deno'), (file) => ['run', '-A', file], 'Deno.serve')).toEqual(expected());
  }, 60_000);

  it('C15 the Cloudflare Workers example answers 201 with id 1, then replays it', async () => {
    const mf = new Miniflare({
      modules: [
        {
          type: 'ESModule',
          path: 'worker.mjs',
          contents: readFileSync(await bundled('Cloudflare Workers'), 'utf8'),
        },
      ],
      compatibilityDate: '2025-09-01',
    });
    try {
      const answers = await curlTwice(
        (init) =>
          mf.dispatchFetch('http://localhost/orders/main', init as never) as unknown as Promise<Response>,
      );
      expect(answers).toEqual(expected());
    } finally {
      await mf.dispose();
    }
  }, 60_000);

  it('C15 the Next.js route handler answers 201 with id 1 and its params, then replays it', async () => {
    const route = (await import(pathToFileURL(await bundled('Next.js route handler')).href)) as {
      POST: (request: Request, context: { params: Promise<{ shop: string }> }) => Promise<Response>;
    };
    const answers = await curlTwice((init) =>
      route.POST(new Request('http://localhost:3000/orders/main', init), {
        params: Promise.resolve({ shop: 'main' }),
      }),
    );
    expect(answers).toEqual(expected({ shop: 'main' }));
  }, 60_000);
});
