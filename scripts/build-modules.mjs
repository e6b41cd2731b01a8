#!/usr/bin/env node
// Builds the shipped modules (modules/*/assembly/index.ts → modules/<name>/build/<name>.wasm) and the demo's hot-fix
// variants (modules/variants/<name>/build/<name>.wasm) with the pinned asc,
// through the same buildModule() as `lattice module build`, and checks their CIDs against modules/cids.json
// (DESIGN §4.3: every node of a release starts from the same bytes). The store type comes from each module's own
// describe(). Run by `npm ci` (prepare). Flags: --update rewrites cids.json; --twice builds twice and compares.
// Each shipped module builds in its own worker thread (asc keeps compiler state per thread), so the builds overlap;
// the variants build one after another in one more.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createBLAKE3 } from 'hash-wasm';
import { tsImport } from 'tsx/esm/api';

if (!isMainThread) {
  // Worker: build its modules in turn (each twice with --twice) and send the bytes back.
  const { buildModule } = await tsImport('../host/node/module-build.ts', import.meta.url);
  const { dirs, twice } = workerData;
  const out = [];
  for (const dir of dirs) {
    const first = await buildModule(dir);
    const second = twice ? await buildModule(dir, { write: false }) : first;
    out.push({ bytes: first.bytes, again: second.bytes, cidText: first.cidText, size: first.size });
  }
  parentPort.postMessage(out);
  process.exit(0);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modulesDir = join(root, 'modules');
const cidsFile = join(modulesDir, 'cids.json');
const update = process.argv.includes('--update');
const twice = process.argv.includes('--twice');

const hasher = await createBLAKE3();
const cidOf = (bytes) => `b3:${hasher.init().update(bytes).digest('hex')}`;

/** The store type a module declares: runs describe() with every other import trapping. */
async function storeTypeOf(bytes) {
  let out;
  const trap = (name) => () => { throw new Error(`describe() called ${name}`); };
  const lattice = new Proxy({}, { get: (_, name) => trap(String(name)) });
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: { abort: trap('abort') },
    lattice_v1: new Proxy(lattice, {
      get: (t, name) => name === 'output'
        ? (ptr, len) => { out = new Uint8Array(instance.exports.memory.buffer, ptr, len).slice(); return 0; }
        : t[name],
    }),
  });
  if (instance.exports.describe() !== 0 || !out) throw new Error('describe() gave no schema');
  return JSON.parse(new TextDecoder().decode(out)).name;
}

const started = Date.now();
const build = (dirs) => new Promise((resolve, reject) => {
  const w = new Worker(fileURLToPath(import.meta.url), { workerData: { dirs, twice } });
  w.once('message', resolve);
  w.once('error', reject);
  w.once('exit', (code) => { if (code !== 0) reject(new Error(`the build worker for ${dirs.join(', ')} exited with ${code}`)); });
});
const names = readdirSync(modulesDir).sort().filter((name) => existsSync(join(modulesDir, name, 'assembly', 'index.ts')));
// The hot-fix variants the demo publishes (modules/variants/*) are built too, into their own build/ dirs, so a
// newcomer's first `lattice demo` does not wait for the compiler; they are no shipped modules (not in cids.json).
const variantsDir = join(modulesDir, 'variants');
const variants = existsSync(variantsDir)
  ? readdirSync(variantsDir).sort().filter((name) => existsSync(join(variantsDir, name, 'assembly', 'index.ts')))
  : [];
// One worker per shipped module, one for all the variants (a worker's first build pays for loading the compiler).
const [results] = await Promise.all([
  Promise.all(names.map(async (name) => (await build([join(modulesDir, name)]))[0])),
  variants.length > 0 ? build(variants.map((name) => join(variantsDir, name))) : [],
]);
const built = {};
for (const [k, name] of names.entries()) {
  const m = results[k];
  const cid = cidOf(m.bytes);
  if (cid !== m.cidText) throw new Error(`${name}: buildModule CID ${m.cidText} but the bytes hash to ${cid}`);
  if (cidOf(m.again) !== cid) throw new Error(`${name}: two builds gave different bytes (${cid}, ${cidOf(m.again)})`);
  const storeType = await storeTypeOf(m.bytes);
  if (built[storeType]) throw new Error(`${name}: a second module describes itself as ${storeType}`);
  built[storeType] = cid;
  console.log(`${storeType.padEnd(14)} ${cid}  ${m.size} bytes  ${name}/build/${name}.wasm`);
}

const sorted = Object.fromEntries(Object.entries(built).sort(([a], [b]) => (a < b ? -1 : 1)));
const text = JSON.stringify(sorted, null, 2) + '\n';
if (update || !existsSync(cidsFile)) {
  writeFileSync(cidsFile, text);
  console.log(`wrote ${cidsFile}`);
} else if (readFileSync(cidsFile, 'utf8') !== text) {
  const want = JSON.parse(readFileSync(cidsFile, 'utf8'));
  for (const [t, c] of Object.entries({ ...want, ...sorted })) {
    if (want[t] !== sorted[t]) console.error(`  ${t}: committed ${want[t] ?? '(none)'}, built ${sorted[t] ?? '(none)'}`);
  }
  console.error('build-modules: the built modules do not reproduce modules/cids.json (same asc version? changed source? rerun with --update if the change is intended)');
  process.exit(1);
}
console.log(`build-modules: ${Object.keys(sorted).length} modules and ${variants.length} variants in ${Date.now() - started} ms`);
