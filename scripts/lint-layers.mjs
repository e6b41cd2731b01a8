#!/usr/bin/env node
// The layer lint (DESIGN §1): imports point one way,
//   cli → node → runtime | net | sync | kernel → storage → model → abi,
// with runtime → kernel the only edge inside the middle tier, and sync and net importing only model.
// Scans every .ts/.mjs file of the shipped layers for static, re-export and dynamic imports of project files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// An optional argument names another tree to check (the lint's own test plants violations in a temp tree).
const root = resolve(process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '..'));

/** layer → layers it may import (besides itself). */
const ALLOWED = {
  abi: [],
  'host/model': ['abi'],
  'host/storage': ['host/model', 'abi'],
  'host/kernel': ['host/storage', 'host/model', 'abi'],
  'host/runtime': ['host/kernel', 'host/storage', 'host/model', 'abi'],
  'host/sync': ['host/model'],
  'host/net': ['host/model'],
  'host/node': ['host/runtime', 'host/net', 'host/sync', 'host/kernel', 'host/storage', 'host/model', 'abi'],
  cli: ['host/node', 'host/runtime', 'host/net', 'host/sync', 'host/kernel', 'host/storage', 'host/model', 'abi'],
};
const LAYERS = Object.keys(ALLOWED).sort((a, b) => b.length - a.length);

function layerOf(file) {
  const rel = relative(root, file).split(sep).join('/');
  return LAYERS.find((l) => rel === l || rel.startsWith(l + '/'));
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'build' || name === 'assembly') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\s\S]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

const violations = [];
let files = 0;
for (const top of ['abi', 'host', 'cli']) {
  let entries;
  try { entries = [...walk(join(root, top))]; } catch { continue; }
  for (const file of entries) {
    const from = layerOf(file);
    if (!from) continue;
    files++;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2];
      if (!spec || !spec.startsWith('.')) continue;
      const target = layerOf(resolve(dirname(file), spec));
      if (!target || target === from || ALLOWED[from].includes(target)) continue;
      const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
      violations.push(`${relative(root, file)}:${line}: ${from} may not import ${target} ('${spec}'); allowed: ${ALLOWED[from].join(', ') || 'nothing'}`);
    }
  }
}

if (violations.length) {
  console.error(`layer lint: ${violations.length} upward or sideways import(s):`);
  for (const v of violations) console.error('  ' + v);
  process.exit(1);
}
console.log(`layer lint: ${files} files, imports point one way`);
