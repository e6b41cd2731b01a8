// One embedded node for a test file (real LMDB in a temp dir, the shipped modules), the typed error a call throws,
// and small AssemblyScript modules written for a test: what the node-api and node tests share.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { isLatticeError, type LatticeError } from '../../host/model/index.js';
import { initNode, openNode, type Node } from '../../host/node/node.js';

/**
 * A node made in `beforeAll` (then `setup` runs with it and its temp dir) and closed and removed in `afterAll`.
 * Read `node` and `dir` inside tests, not at the top level (they exist once beforeAll ran).
 */
export function embeddedNode(prefix: string, setup?: (node: Node, dir: string) => Promise<void>, timeoutMs = 120_000): { readonly node: Node; readonly dir: string; reopen(): Promise<Node> } {
  let node: Node | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `lattice-${prefix}-`));
    await initNode(join(dir, 'n'));
    node = await openNode({ dataDir: join(dir, 'n') });
    await setup?.(node, dir);
  }, timeoutMs);
  afterAll(async () => {
    await node?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get node(): Node {
      if (!node) throw new Error('embeddedNode: the node exists once beforeAll ran');
      return node;
    },
    get dir(): string {
      if (!dir) throw new Error('embeddedNode: the dir exists once beforeAll ran');
      return dir;
    },
    /** Closes the node and opens its data dir again (what a restart does). */
    async reopen(): Promise<Node> {
      await node?.close();
      node = await openNode({ dataDir: join(this.dir, 'n') });
      return node;
    },
  };
}

/** The LatticeError `p` rejects with; anything else (or a success) fails the test. */
export async function typedError(p: Promise<unknown>): Promise<LatticeError> {
  try {
    await p;
  } catch (e) {
    if (isLatticeError(e)) return e;
    throw e;
  }
  throw new Error('expected a typed error, the call succeeded');
}

/** Writes `<dir>/assembly/index.ts` (a module directory buildModule takes); returns `dir`. */
export function writeModule(dir: string, source: string): string {
  mkdirSync(join(dir, 'assembly'), { recursive: true });
  writeFileSync(join(dir, 'assembly', 'index.ts'), source);
  return dir;
}

/** A module whose describe() never returns (it runs out of fuel); its other exports do nothing. */
export const LOOPING_DESCRIBE = `import { OK } from "lattice-guest-sdk";
let n: i32 = 0;
export function describe(): i32 { while (n >= 0) n = (n + 1) & 0x7fffffff; return OK; }
export function apply(): i32 { return OK; }
export function command(): i32 { return OK; }
export function query(): i32 { return OK; }
`;
