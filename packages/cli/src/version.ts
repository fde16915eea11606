/** The version of `@idempo/cli`, read from its package.json (one directory up from both src/ and dist/). */
import { createRequire } from 'node:module';

/** The package's version, e.g. `0.1.0`. */
export function cliVersion(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}
