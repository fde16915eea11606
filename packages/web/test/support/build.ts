/** Tests that run the built package in another process (other runtimes, the README) need dist. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root directory. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** turbo builds before testing; a bare `vitest run` builds here when dist is missing or older than src. */
export function ensureBuilt(): void {
  const built = join(PACKAGE_ROOT, 'dist/index.js');
  const src = join(PACKAGE_ROOT, 'src');
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newest)
    execFileSync('npx', ['tsup'], { cwd: PACKAGE_ROOT });
}
