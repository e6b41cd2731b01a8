#!/usr/bin/env node
// The package's build (`npm run build`, and `prepare`, so `npm ci` on a clean clone ends with a runnable CLI):
// compile the TypeScript into dist/ with tsconfig.build.json, write the CLI's oclif root in dist/cli, then build the
// shipped AssemblyScript modules when scripts/build-modules.mjs is present (not with --cli-only).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

// Nothing to do when every output is newer than every input. `npx lattice …` (the README's commands) installs this
// checkout into npm's npx cache as a link and runs its `prepare`, this build, before the first command: after `npm ci`
// that is a check of file times, not a second full build (over a minute). --force builds anyway.
if (!process.argv.includes('--force') && !process.argv.includes('--cli-only') && upToDate()) {
  console.error('build: dist/ and the modules are up to date (--force rebuilds)');
  process.exit(0);
}

/** Whether dist/ and every module build are newer than every source they are made from. */
function upToDate() {
  const newest = (dir, keep) => {
    let t = 0;
    if (!existsSync(dir)) return t;
    for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (rel.split('/').includes('build') || rel.split('/').includes('node_modules')) continue;
      const file = join(dir, rel);
      if (keep(rel)) t = Math.max(t, statSync(file).mtimeMs);
    }
    return t;
  };
  const code = (rel) => /\.(ts|mjs|json)$/.test(rel);
  const sources = Math.max(
    ...['abi', 'cli', 'host', 'guest-sdk', 'modules', 'scripts'].map((d) => newest(join(root, d), code)),
    ...['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)),
  );
  const outputs = [join(root, 'dist', 'cli', 'oclif.manifest.json')];
  for (const base of [join(root, 'modules'), join(root, 'modules', 'variants')]) {
    for (const name of readdirSync(base)) {
      if (existsSync(join(base, name, 'assembly', 'index.ts'))) outputs.push(join(base, name, 'build', `${name}.wasm`));
    }
  }
  return outputs.every((f) => existsSync(f) && statSync(f).mtimeMs > sources);
}

// The build goes to dist.next/ and replaces dist/ only when complete, so a CLI running during a build never sees
// half a dist/, and commands whose source was deleted do not linger. tsc writes its output even when it reports
// type errors; the build still fails then, after the remaining steps, so one run shows every problem.
// (Staged under node_modules/.cache: ignored by git, on the same file system, and packages resolve from there.)
const next = join(root, 'node_modules', '.cache', 'lattice-build', 'dist');
rmSync(next, { recursive: true, force: true });
const typed = run('tsc -p tsconfig.build.json', [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', next]);
if (!existsSync(join(next, 'cli', 'commands'))) process.exit(1);

// Plain .mjs sources (the kernel's verify worker, loaded by URL at run time) are not compiled: tsc does not copy
// them, so they are copied beside the compiled files. Without this the built CLI could not verify a batch of 64.
for (const top of ['abi', 'host', 'cli']) {
  for (const rel of readdirSync(join(root, top), { recursive: true, encoding: 'utf8' })) {
    if (!rel.endsWith('.mjs')) continue;
    mkdirSync(dirname(join(next, top, rel)), { recursive: true });
    copyFileSync(join(root, top, rel), join(next, top, rel));
  }
}

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
const cliRoot = join(next, 'cli');
const distPkg = { name: pkg.name, version: pkg.version, description: pkg.description, type: 'module', private: true, oclif: OCLIF };
writeFileSync(join(cliRoot, 'package.json'), JSON.stringify(distPkg, null, 2) + '\n');
const started = Date.now();
const { Plugin } = await import('@oclif/core');
const plugin = new Plugin({ root: cliRoot, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
writeFileSync(join(cliRoot, 'oclif.manifest.json'), JSON.stringify(plugin.manifest));
console.error(`build: oclif manifest (${Object.keys(plugin.manifest.commands).length} commands) done in ${Date.now() - started} ms`);

const old = join(root, 'node_modules', '.cache', 'lattice-build', 'dist.old');
rmSync(old, { recursive: true, force: true });
if (existsSync(join(root, 'dist'))) renameSync(join(root, 'dist'), old);
renameSync(next, join(root, 'dist'));
rmSync(old, { recursive: true, force: true });

const modules = join(root, 'scripts', 'build-modules.mjs');
// --cli-only: skip the modules (the CLI tests rebuild the TypeScript often; the modules change rarely).
const built = existsSync(modules) && !process.argv.includes('--cli-only') ? run('scripts/build-modules.mjs', [modules]) : true;
if (!typed || !built) process.exit(1);
