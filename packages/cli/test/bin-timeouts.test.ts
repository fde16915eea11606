/**
 * The built `idempo` command against a server that accepts connections and never answers (a hung server, or a
 * firewall dropping replies), for each store: only --timeout-ms can end it, and it must, with exit 3, and then
 * exit at once (nothing left open).
 */
import { describe, expect, it } from 'vitest';
import { runBin } from './support/run-bin.js';
import { withSilentServer } from './support/silent-server.js';

const TIMEOUT_MS = 700;
/** The start of node and of the driver, plus the margin of a loaded machine. */
const MARGIN_MS = 2_500;

describe('idempo against a server that never answers', () => {
  it.each([
    ['redis', (port: number) => `redis://127.0.0.1:${port}`, /did not answer within 700 ms/],
    [
      'postgres',
      (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`,
      /did not answer within 700 ms/,
    ],
    // The MongoDB driver's server selection gives up just before the CLI's own bound, and says so.
    ['mongo', (port: number) => `mongodb://127.0.0.1:${port}/app`, /timed out|did not answer within 700 ms/i],
  ])('%s: exit 3 within --timeout-ms and a margin, then at once', async (store, url, message) => {
    const run = await withSilentServer((port) =>
      runBin(['inspect', 'k', '--store', store, '--url', url(port), '--timeout-ms', String(TIMEOUT_MS)]),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(`store: ${store} at `);
    expect(run.accepted).toBeGreaterThan(0);
    expect(run.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(run.lingerMs).toBeLessThan(1_000);
  });
});
