/**
 * The reference app: `node dist/main.js --framework <name> --store <name> [--port 0]`. Prints exactly one line
 * `listening on http://127.0.0.1:<port>` to stdout when ready (diagnostics go to stderr), and closes the server
 * and the store's client on SIGTERM or SIGINT, then exits 0.
 */

import { createReferenceService } from '@idempo/testing/reference';
import { type FrameworkName, parseArgs, USAGE } from './args.js';
import type { StartFramework } from './framework.js';
import { openStore } from './stores.js';

async function loadFramework(name: FrameworkName): Promise<StartFramework> {
  try {
    // A variable, so that the bundler leaves the import to run time: each variant is its own entry in dist/.
    const file = `./frameworks/${name}.js`;
    const mod = (await import(file)) as { start: StartFramework };
    return mod.start;
  } catch (error) {
    throw new Error(`the ${name} variant is not available: ${String(error)}`);
  }
}

/** How long SIGTERM waits for open requests and connections before exiting anyway. */
const CLOSE_GRACE_MS = 3_000;

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  const start = await loadFramework(args.framework);
  const opened = args.store === 'none' ? undefined : await openStore(args.store, args.namespace);
  const app = await start({
    idempotency: opened && { store: opened.store, leaseMs: args.leaseMs, ttlMs: args.ttlMs },
    service: createReferenceService(),
    host: args.host,
    port: args.port,
  });
  console.error(`reference app: ${args.framework} over ${opened?.description ?? 'no idempo (bare routes)'}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`reference app: ${signal}, closing`);
    try {
      // A connection a client opened and never used (fetch does this after an abort) keeps a Node server's
      // close() waiting for the headers timeout: after a grace period the app stops waiting and says so.
      let grace: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        app.close().then(() => true),
        new Promise<false>((resolve) => {
          grace = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
        }),
      ]);
      clearTimeout(grace);
      if (!closed) console.error(`reference app: connections still open after ${CLOSE_GRACE_MS} ms, exiting`);
      await opened?.close();
      process.exit(0);
    } catch (error) {
      console.error(`reference app: close failed: ${String(error)}`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Only now that a signal is handled: a test that stops the app as soon as it listens must not kill it.
  process.stdout.write(`listening on http://${args.host}:${app.port}\n`);
}

main().catch((error: unknown) => {
  console.error(`reference app: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
