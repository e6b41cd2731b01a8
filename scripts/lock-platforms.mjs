#!/usr/bin/env node
// Records every optional platform package (native builds for other systems: iroh, msgpackr-extract, rollup) in
// package-lock.json with its version and platform, even when the registry this project installs from does not serve
// it. npm install leaves such packages out of the lock when it cannot fetch their manifests, and `npm ci` then
// refuses the lock ("Missing: … from lock file"); with the entry present, npm ci validates the lock and skips the
// package by platform without fetching it. Run after any `npm install` that changes the lock.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

// os, cpu and libc from the platform triple in the package name (the convention of napi-rs and rollup packages).
function platformOf(name) {
  const t = name.split('/').pop();
  const os = ['android', 'darwin', 'freebsd', 'openbsd', 'openharmony', 'linux', 'win32'].find((o) => t.includes(`-${o}-`));
  const cpu = ['arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'arm'].find((c) => new RegExp(`-${c}(-|$)`).test(t));
  if (!os || !cpu) throw new Error(`lock-platforms: cannot tell the platform of ${name}`);
  const libc = os === 'linux' ? (/musl/.test(t) ? 'musl' : /gnu/.test(t) ? 'glibc' : undefined) : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === '' ? '' : `${path}/`;
    if (packages[`${base}node_modules/${dep}`] || packages[`node_modules/${dep}`]) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) throw new Error(`lock-platforms: ${dep} is not pinned (${version})`);
    const { os, cpu, libc } = platformOf(dep);
    packages[`node_modules/${dep}`] = { version, cpu: [cpu], ...(libc ? { libc: [libc] } : {}), optional: true, os: [os] };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`lock-platforms: ${added} optional platform package(s) recorded`);
