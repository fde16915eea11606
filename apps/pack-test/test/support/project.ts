/**
 * A fresh npm project outside the workspace with the packed tarballs installed: `pnpm pack` of every publishable
 * package (which writes the real versions in place of `workspace:` ranges, as `pnpm publish` does), then
 * `npm install <tarballs> <peers>` from the npm registry, as a user does after reading the READMEs.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Manifest, type PublishablePackage, ROOT, readJson } from './discover.js';

const run = promisify(execFile);

/** The temp project: where it is, and the tarball of each package by name. */
export interface Project {
  readonly dir: string;
  readonly tarballs: ReadonlyMap<string, string>;
  /** The `npm install` arguments after the tarballs, `fastify@5.12.8`. */
  readonly peers: readonly string[];
  /** How long packing and installing took, in milliseconds. */
  readonly timings: { readonly pack: number; readonly install: number };
}

/**
 * The version of each third-party package the workspace itself tests with (a devDependency or dependency of the
 * root or of a workspace package, not an `npm:` alias nor a `workspace:` range), so that the install is the one
 * the other tests vouch for and does not move with the registry's latest.
 */
export function workspaceVersions(): Map<string, string> {
  const manifests = [join(ROOT, 'package.json')];
  for (const parent of ['packages', 'apps']) {
    for (const dir of readdirSync(join(ROOT, parent))) manifests.push(join(ROOT, parent, dir, 'package.json'));
  }
  const versions = new Map<string, string>();
  for (const file of manifests) {
    let manifest: Manifest;
    try {
      manifest = readJson<Manifest>(file);
    } catch {
      continue;
    }
    for (const deps of [manifest.devDependencies, manifest.dependencies]) {
      for (const [name, range] of Object.entries(deps ?? {})) {
        if (!versions.has(name) && !/^(?:npm|workspace|file|link):/.test(range)) versions.set(name, range);
      }
    }
  }
  return versions;
}

/** The environment without what pnpm and npm set for a script (`npm_config_*`, `npm_package_*`, ...): a user's shell. */
export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(?:npm|pnpm)_/i.test(name)));
}

/** Packs every package into `dir`, in parallel; the tarball of each package by name. */
async function pack(packages: readonly PublishablePackage[], dir: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  await Promise.all(
    packages.map(async (pkg) => {
      const into = join(dir, pkg.dir);
      mkdirSync(into, { recursive: true });
      await run('pnpm', ['pack', '--pack-destination', into], { cwd: join(ROOT, 'packages', pkg.dir) });
      const [tarball] = readdirSync(into).filter((f) => f.endsWith('.tgz'));
      if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball for ${pkg.manifest.name}`);
      tarballs.set(pkg.manifest.name, join(into, tarball));
    }),
  );
  return tarballs;
}

/**
 * Packs the packages and installs them with `peers` into a new project under the system's temp directory.
 * `peers` are package names; each is installed at the version the workspace tests with (latest when none).
 */
export async function installProject(
  packages: readonly PublishablePackage[],
  peers: readonly string[],
): Promise<Project> {
  const dir = mkdtempSync(join(tmpdir(), 'idempo-pack-test-'));
  const started = performance.now();
  const tarballs = await pack(packages, join(dir, '.tarballs'));
  const packed = performance.now();
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'idempo-pack-test-project', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  const versions = workspaceVersions();
  const specs = peers.map((name) => `${name}@${versions.get(name) ?? 'latest'}`);
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.values(), ...specs],
    { cwd: dir, maxBuffer: 64 << 20, env: userEnv() },
  );
  return {
    dir,
    tarballs,
    peers: specs,
    timings: { pack: packed - started, install: performance.now() - packed },
  };
}
