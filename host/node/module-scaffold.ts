// `lattice module init <dir>`: writes a working module anywhere on disk — a per-key tally (command `bump <key>`,
// query `get <key>` → i64) that builds at once with buildModule() and whose test file passes under
// `lattice module test` (module-harness.ts). docs/module-guide.md walks through the same files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { LatticeError } from '../model/index.js';
import { ENTRY, PINNED_CONFIG } from './module-build.js';
import { ROOT_STORE_TYPE } from './root-store.js';

export interface ScaffoldOptions {
  /** The store type the module describes itself as (default `app:<dir name>`). */
  readonly storeType?: string;
}

export interface ScaffoldResult {
  readonly dir: string;
  readonly storeType: string;
  /** Paths written, relative to dir. */
  readonly files: readonly string[];
}

const STORE_TYPE = /^[a-z][a-z0-9-]*:[a-z0-9][a-z0-9._-]*$/;
const MAX_STORE_TYPE = 128;

/**
 * The one rule for a store type, shared by `module init` and `module publish`: `<namespace>:<name>` in lower case
 * (the namespace a letter then letters, digits, `-`; the name may also hold `.` and `_`), at most 128 characters,
 * and not the root store's. E_BAD_ARGUMENT otherwise.
 */
export function checkStoreType(storeType: string): void {
  if (!STORE_TYPE.test(storeType) || storeType.length > MAX_STORE_TYPE) {
    throw new LatticeError('E_BAD_ARGUMENT', `a store type is <namespace>:<name> in lower case (letters, digits, - in the namespace; also . _ in the name; at most ${MAX_STORE_TYPE} characters), e.g. app:tally; got ${JSON.stringify(storeType)}`, { storeType });
  }
  if (storeType === ROOT_STORE_TYPE) throw new LatticeError('E_BAD_ARGUMENT', `${ROOT_STORE_TYPE} is reserved for a mesh's root store`, { storeType });
}

export function tallySource(storeType: string): string {
  return `// ${storeType}: a per-key tally. \`bump <key>\` appends an op naming the key; apply adds 1 to it. Adding commutes,
// so every node reaches the same tallies whatever order it applies concurrent bumps in (docs/module-guide.md).
import { input, output, state, log, Value, Schema, arg, T, i64Bytes, i64Of, OK, BAD_ARGUMENT, UNKNOWN_METHOD, MAX_KEY } from "lattice-guest-sdk";

const MALFORMED_OP: i32 = 1;
const APPEND_FAILED: i32 = 2;

export function describe(): i32 {
  return new Schema("${storeType}", "0.1.0")
    .command("bump", [arg("key", "string")], "none", "adds 1 to the tally of key")
    .query("get", [arg("key", "string")], "i64", "the tally of key (0 if never bumped)")
    .output();
}

export function command(): i32 {
  const call = input.call();
  if (call == null) return BAD_ARGUMENT;
  if (call.method != "bump") return UNKNOWN_METHOD;
  if (!call.check([T.STRING], 1)) return BAD_ARGUMENT;
  const key = call.arg(0).asBytes();
  if (key.length == 0 || key.length > MAX_KEY) return BAD_ARGUMENT;
  // The op is one value (a list holding the key), so \`lattice store history\` can show it.
  return log.appendValue(Value.list([Value.fromBytes(key)]), []) == 0 ? OK : APPEND_FAILED;
}

export function apply(): i32 {
  const intention = input.intention();
  if (intention == null) return MALFORMED_OP;
  const op = Value.decode(intention.app);
  if (op == null || !op.isList() || op.asList().length != 1 || !op.asList()[0].isBytes()) return MALFORMED_OP;
  const key = op.asList()[0].asBytes();
  if (key.length == 0 || key.length > MAX_KEY) return MALFORMED_OP;
  const current = state.get(key);
  state.set(key, i64Bytes((current != null ? i64Of(current) : 0) + 1));
  return OK;
}

export function query(): i32 {
  const call = input.call();
  if (call == null) return BAD_ARGUMENT;
  if (call.method != "get") return UNKNOWN_METHOD;
  if (!call.check([T.STRING], 1)) return BAD_ARGUMENT;
  const v = state.get(call.arg(0).asBytes());
  output.i64(v != null ? i64Of(v) : 0);
  return OK;
}
`;
}

/** The scaffold's test file: two nodes bump concurrently, then sync and agree (module-harness.ts format). */
export function tallyTest(): string {
  return JSON.stringify({
    description: 'Two nodes bump the same key concurrently; each sees its own bump, and after sync both see 2.',
    steps: [
      { node: 'a', exec: 'bump', args: ['apples'] },
      { node: 'b', exec: 'bump', args: ['apples'] },
      { node: 'a', query: 'get', args: ['apples'], expect: 1 },
      { sync: true },
      { node: 'a', query: 'get', args: ['apples'], expect: 2 },
      { node: 'b', query: 'get', args: ['apples'], expect: 2 },
      { node: 'b', query: 'get', args: ['pears'], expect: 0 },
      { node: 'a', exec: 'bump', args: [], expectError: 'E_BAD_ARGUMENT' },
    ],
  }, null, 2) + '\n';
}

/** Writes a tally module into dir (created if needed); refuses a dir that already holds a module. */
export function scaffoldModule(dir: string, options: ScaffoldOptions = {}): ScaffoldResult {
  const root = resolve(dir);
  const name = basename(root).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'module';
  const storeType = options.storeType ?? `app:${name}`;
  checkStoreType(storeType);
  if (existsSync(join(root, ENTRY))) {
    throw new LatticeError('E_BAD_ARGUMENT', `${root} already holds a module (${ENTRY} exists)`, { dir: root });
  }
  const pinned = JSON.parse(readFileSync(PINNED_CONFIG, 'utf8')) as { options?: Record<string, unknown> };
  const files: Record<string, string> = {
    [ENTRY]: tallySource(storeType),
    // The options `lattice module build` pins (they override anything set here), written out so they are visible.
    'asconfig.json': JSON.stringify({ options: pinned.options ?? {} }, null, 2) + '\n',
    [join('test', `${name}.test.json`)]: tallyTest(),
    '.gitignore': 'build/\n',
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return { dir: root, storeType, files: Object.keys(files) };
}
