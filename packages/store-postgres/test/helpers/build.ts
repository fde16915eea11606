/** The tests that run the package in another process (the race workers, the README's quick start) need dist. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root directory. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the package when dist is missing or older than a source file (turbo has built it before the tests). */
export function ensureBuilt(): void {
  const built = join(PACKAGE_ROOT, 'dist', 'index.js');
  const src = join(PACKAGE_ROOT, 'src');
  const newestSource = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newestSource) {
    execFileSync('npx', ['tsup'], { cwd: PACKAGE_ROOT, stdio: 'pipe' });
  }
}
