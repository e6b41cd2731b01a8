// The module CAS (DESIGN §4.3): module bytes by CID, and instrumented artifacts by (cid, instrumenter version,
// limits hash), over a minimal injected table (the node backs it with an LMDB table owned by the storage layer).
// Module bytes are verified against their CID on every load; an artifact carries its own digest, and a corrupt
// one is treated as missing (it is re-derived from the verified module bytes, never used).
import { blake3, cidToString, LatticeError, type Cid, type Hash } from '../model/index.js';

/** The storage the CAS needs: synchronous reads, asynchronous durable writes. */
export interface CasTable {
  get(key: Uint8Array): Uint8Array | undefined;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
}

const MODULE = 0x6d; // 'm'
const ARTIFACT = 0x61; // 'a'
const encoder = new TextEncoder();

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export class ModuleCas {
  constructor(private readonly table: CasTable) {}

  /** Stores module bytes under their CID (BLAKE3 of the bytes) and returns it. */
  async putModule(bytes: Uint8Array): Promise<Cid> {
    const cid = blake3(bytes) as Uint8Array as Cid;
    await this.table.put(moduleKey(cid), bytes);
    return cid;
  }

  hasModule(cid: Cid): boolean {
    return this.table.get(moduleKey(cid)) !== undefined;
  }

  /** The module bytes, verified: E_MODULE_NOT_FOUND if absent, E_CID_MISMATCH if they do not hash to the CID. */
  getModule(cid: Cid): Uint8Array {
    const bytes = this.table.get(moduleKey(cid));
    if (bytes === undefined) throw new LatticeError('E_MODULE_NOT_FOUND', `no module ${cidToString(cid)} on this node`, { cid: cidToString(cid) });
    const actual = blake3(bytes);
    if (!equal(actual, cid)) {
      throw new LatticeError('E_CID_MISMATCH', `the stored bytes of ${cidToString(cid)} hash to ${cidToString(actual as Uint8Array as Cid)}`, { cid: cidToString(cid) });
    }
    return bytes;
  }

  /** An instrumented artifact, or undefined when absent or when its digest does not verify. */
  getArtifact(cid: Cid, version: string, limitsHash: Hash): Uint8Array | undefined {
    const value = this.table.get(artifactKey(cid, version, limitsHash));
    if (value === undefined || value.length < 32) return undefined;
    const bytes = value.subarray(32);
    return equal(blake3(bytes), value.subarray(0, 32)) ? bytes : undefined;
  }

  async putArtifact(cid: Cid, version: string, limitsHash: Hash, bytes: Uint8Array): Promise<void> {
    const value = new Uint8Array(32 + bytes.length);
    value.set(blake3(bytes), 0);
    value.set(bytes, 32);
    await this.table.put(artifactKey(cid, version, limitsHash), value);
  }
}

function moduleKey(cid: Cid): Uint8Array {
  const k = new Uint8Array(33);
  k[0] = MODULE;
  k.set(cid, 1);
  return k;
}

/** 'a' ‖ cid ‖ limits hash ‖ version (UTF-8). */
function artifactKey(cid: Cid, version: string, limitsHash: Hash): Uint8Array {
  const v = encoder.encode(version);
  const k = new Uint8Array(65 + v.length);
  k[0] = ARTIFACT;
  k.set(cid, 1);
  k.set(limitsHash, 33);
  k.set(v, 65);
  return k;
}

/** A CasTable over a Map, for tests and tools without a node. */
export function createMemoryCasTable(): CasTable & { readonly entries: Map<string, Uint8Array> } {
  const entries = new Map<string, Uint8Array>();
  const hex = (k: Uint8Array): string => Buffer.from(k).toString('hex');
  return {
    entries,
    get: (key) => entries.get(hex(key)),
    put: async (key, value) => void entries.set(hex(key), value.slice()),
  };
}
