/**
 * Every publishable package is ready for the registry (issue 18 item 3), read from the workspace without packing:
 * the fields and the LICENSE that issue 18 asks of each, and a place in this package's
 * devDependencies, so that turbo builds it before the pack test packs it. packed-quick-starts.test.ts checks
 * the same fields again in the installed tarballs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Manifest, publishablePackages, ROOT, readJson } from './support/discover.js';

const packages = publishablePackages();
const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');

describe('the registry fields of every publishable package', () => {
  it('the root LICENSE is MIT, copyright the idempo contributors', () => {
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 idempo contributors\n/);
  });

  it.each(packages.map((pkg) => [pkg.dir, pkg] as const))('%s', (dir, pkg) => {
    const m = pkg.manifest;
    expect(m.license).toBe('MIT');
    expect(m.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/idempo/idempo.git',
      directory: `packages/${dir}`,
    });
    expect(m.homepage).toBe(`https://github.com/idempo/idempo/tree/main/packages/${dir}#readme`);
    expect(m.bugs).toEqual({ url: 'https://github.com/idempo/idempo/issues' });
    expect(m.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
    expect(readFileSync(join(ROOT, 'packages', dir, 'LICENSE'), 'utf8'), `packages/${dir}/LICENSE`).toBe(
      license,
    );
    expect(pkg.readme, `packages/${dir}/README.md`).not.toBe('');
  });

  it('every one is a devDependency of @idempo/pack-test, so that turbo builds it before the pack test', () => {
    const own = readJson<Manifest>(join(ROOT, 'apps/pack-test/package.json'));
    const missing = packages
      .map((pkg) => pkg.manifest.name)
      .filter((name) => own.devDependencies?.[name] !== 'workspace:*');
    expect(missing, 'add "<name>": "workspace:*" to apps/pack-test/package.json devDependencies').toEqual([]);
  });
});
