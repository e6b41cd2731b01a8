#!/usr/bin/env node
// The package's build (`npm run build`, and `prepare`, so `npm ci` on a clean clone ends with a runnable CLI):
// compile the TypeScript into dist/ with tsconfig.build.json, write the CLI's oclif root in dist/cli, then build the
// shipped AssemblyScript modules when scripts/build-modules.mjs is present (not with --cli-only).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Runs a build step; returns whether it succeeded. */
function run(label, args) {
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`build: ${label} failed (exit ${r.status ?? r.signal})`);
    return false;
  }
  console.error(`build: ${label} done in ${Date.now() - started} ms`);
  return true;
}

// A stale dist/ could keep commands whose source was deleted; start from nothing.
rmSync(join(root, 'dist'), { recursive: true, force: true });
// tsc writes dist/ even when it reports type errors; the build still fails then, after the remaining steps, so one
// run shows every problem.
const typed = run('tsc -p tsconfig.build.json', [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
if (!existsSync(join(root, 'dist', 'cli', 'commands'))) process.exit(1);

// dist/cli/ is the CLI's oclif root: its own package.json (the oclif settings live here, once) and the command
// manifest, so a command starts without importing every other command (DESIGN §8: `lattice status` under 300 ms).
// It is dist/cli, not dist, so that the host's package-root lookup (the nearest package.json above dist/host/…) still
// finds the real package.
const OCLIF = {
  bin: 'lattice',
  dirname: 'lattice',
  commands: './commands',
  topicSeparator: ' ',
  hooks: { command_not_found: './hooks/command-not-found.js' },
  topics: {
    module: { description: 'build, test, publish and inspect store modules' },
    store: { description: 'create stores, run commands and queries, read and check their history' },
    peer: { description: 'invite peers into the mesh, join one, list and revoke peers' },
  },
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const cliRoot = join(root, 'dist', 'cli');
const distPkg = { name: pkg.name, version: pkg.version, description: pkg.description, type: 'module', private: true, oclif: OCLIF };
writeFileSync(join(cliRoot, 'package.json'), JSON.stringify(distPkg, null, 2) + '\n');
const started = Date.now();
const { Plugin } = await import('@oclif/core');
const plugin = new Plugin({ root: cliRoot, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
writeFileSync(join(cliRoot, 'oclif.manifest.json'), JSON.stringify(plugin.manifest));
console.error(`build: oclif manifest (${Object.keys(plugin.manifest.commands).length} commands) done in ${Date.now() - started} ms`);

const modules = join(root, 'scripts', 'build-modules.mjs');
// --cli-only: skip the modules (the CLI tests rebuild the TypeScript often; the modules change rarely).
const built = existsSync(modules) && !process.argv.includes('--cli-only') ? run('scripts/build-modules.mjs', [modules]) : true;
if (!typed || !built) process.exit(1);
