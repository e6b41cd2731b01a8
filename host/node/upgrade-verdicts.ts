// Hot-fix verdicts and attestations (DESIGN §4.4), kept in the node's LMDB (a table of their own) so a restart never
// replays what it already judged. A verdict is cached per (store, CID, witnessed-set fingerprint): the fingerprint is
// Negentropy's (host/sync) over the hashes of seqs 1..seq, the set the replay covered, so it is the same on every node
// that witnessed the same set, whatever the order. After a passing verdict the node signs an attestation
// {storeId, cid, fingerprint, stateHash} (stateHash: the projection record's at that seq); peers' attestations for
// the same (store, cid, fingerprint) must carry the same state hash, else an alarm is recorded and logged. Peers
// exchange them after each sync of a store (sync-service.ts, the `attest` request).
import { packValue, unpackValue, decodeProjection, decodeWitnessRecord } from '../kernel/index.js';
import {
  addMod256, bytesEqual, concatBytes, LatticeError, toHex, verifyFor, type Cid, type Hash, type NodeId, type NodeKey, type StoreId,
} from '../model/index.js';
import type { WireAttestation } from '../net/wire.js';
import { prefixEnd, seqKey, type StorageEnv, type Table, type Tables } from '../storage/index.js';
import { fingerprintOf, FINGERPRINT_SIZE } from '../sync/index.js';
import { logger } from './logger.js';

const log = logger('lattice:node:upgrade');
const PURPOSE = 'attestation';
const VERDICT = 0x76; // 'v' ‖ storeId ‖ cid ‖ fingerprint → verdict
const ATTEST = 0x61; // 'a' ‖ storeId ‖ cid ‖ fingerprint ‖ node → stateHash ‖ signature
const ALARM = 0x78; // 'x' ‖ storeId ‖ cid ‖ fingerprint ‖ node → alarm

export interface UpgradeVerdict {
  readonly storeId: StoreId;
  readonly cid: Cid;
  /** Fingerprint of the witnessed set the replay covered (seqs 1..seq). */
  readonly fingerprint: Uint8Array;
  readonly equivalent: boolean;
  /** Last seq the replay covered (local: used only to know which upgrades the verdict covers). */
  readonly seq: number;
  /** State hash of the projection record at `seq` (zero at seq 0). */
  readonly stateHash: Uint8Array;
  readonly intentions: number;
  /** The ModuleUpgrade intention verified (null when this node verified before publishing it). */
  readonly upgrade: Hash | null;
  readonly by: 'publish' | 'receive';
  /** Wall time of the verdict (ms). */
  readonly at: number;
  readonly firstDivergence: Record<string, unknown> | null;
}

export interface Attestation {
  readonly storeId: StoreId;
  readonly cid: Cid;
  readonly fingerprint: Uint8Array;
  readonly stateHash: Uint8Array;
  readonly node: NodeId;
  readonly signature: Uint8Array;
}

export interface AttestationAlarm {
  readonly storeId: string;
  readonly cid: string;
  readonly fingerprint: string;
  /** The node whose attestation disagreed and the one it disagreed with. */
  readonly node: string;
  readonly other: string;
  readonly stateHash: string;
  readonly otherStateHash: string;
  readonly at: number;
}

/** The fingerprint of the witnessed set seqs 1..upto of a store (Negentropy's: id sum mod 2^256 and count). */
export function witnessedFingerprint(t: Tables, storeId: StoreId, upto: number): Uint8Array {
  const acc = new Uint8Array(32);
  let count = 0;
  if (upto > 0) {
    for (const { value } of t.witnessLog.getRange({ start: seqKey(storeId, 1), end: seqKey(storeId, upto + 1) })) {
      addMod256(acc, decodeWitnessRecord(value).intentionHash);
      count++;
    }
  }
  const words = new Uint32Array(8);
  const view = new DataView(acc.buffer);
  for (let i = 0; i < 8; i++) words[i] = view.getUint32(4 * i, true);
  return new Uint8Array(fingerprintOf(words, 0, count));
}

/** The state hash the projection record at `seq` carries (zero before the first record). */
export function stateHashAt(t: Tables, storeId: StoreId, seq: number): Uint8Array {
  if (seq === 0) return new Uint8Array(32);
  const raw = t.projection.get(seqKey(storeId, seq));
  if (!raw) throw new LatticeError('E_HOST_FAULT', `seq ${seq} of store ${toHex(storeId)} has no projection record`, { seq });
  return new Uint8Array(decodeProjection(raw).stateHash);
}

function attestPayload(a: Pick<Attestation, 'storeId' | 'cid' | 'fingerprint' | 'stateHash'>): Uint8Array {
  const out = new Uint8Array(16 + 32 + FINGERPRINT_SIZE + 32);
  out.set(a.storeId, 0);
  out.set(a.cid, 16);
  out.set(a.fingerprint, 48);
  out.set(a.stateHash, 48 + FINGERPRINT_SIZE);
  return out;
}

export function signAttestation(key: NodeKey, a: Pick<Attestation, 'storeId' | 'cid' | 'fingerprint' | 'stateHash'>): Attestation {
  return { ...a, node: key.publicKey as NodeId, signature: key.signFor(PURPOSE, attestPayload(a)) };
}

export function verifyAttestation(a: Attestation): boolean {
  return a.fingerprint.length === FINGERPRINT_SIZE && a.stateHash.length === 32 && a.cid.length === 32 && a.storeId.length === 16 &&
    verifyFor(a.node, PURPOSE, attestPayload(a), a.signature);
}

const key = (tag: number, ...parts: Uint8Array[]): Buffer => Buffer.concat([Buffer.of(tag), ...parts]);

/** The node's verdict cache, its own and its peers' attestations, and the alarms they raised. */
export class UpgradeVerdicts {
  private readonly table: Table;
  /** Alarms raised since the node opened (the table keeps all of them). */
  alarmsRaised = 0;
  private attesting: Promise<unknown> = Promise.resolve();

  constructor(env: StorageEnv) {
    this.table = env.root.openDB<Uint8Array, Buffer>({ name: 'upgradeVerdicts', keyEncoding: 'binary', encoding: 'binary' }) as unknown as Table;
  }

  async put(v: UpgradeVerdict): Promise<void> {
    await this.table.put(key(VERDICT, v.storeId, v.cid, v.fingerprint), packValue({ ...v }));
  }

  /** Every verdict for a store (and a CID when given), oldest first by key order. */
  list(storeId: StoreId, cid?: Cid): UpgradeVerdict[] {
    const prefix = key(VERDICT, storeId, ...(cid ? [cid] : []));
    const out: UpgradeVerdict[] = [];
    for (const { value } of this.table.getRange({ start: prefix, end: prefixEnd(prefix) })) {
      const r = unpackValue(new Uint8Array(value)) as Record<string, unknown>;
      const b = (x: unknown): Uint8Array => new Uint8Array(x as Uint8Array);
      out.push({
        storeId: b(r.storeId) as StoreId, cid: b(r.cid) as Cid, fingerprint: b(r.fingerprint), equivalent: r.equivalent === true,
        seq: r.seq as number, stateHash: b(r.stateHash), intentions: r.intentions as number,
        upgrade: r.upgrade ? (b(r.upgrade) as Hash) : null, by: r.by as 'publish' | 'receive', at: r.at as number,
        firstDivergence: (r.firstDivergence as Record<string, unknown> | null) ?? null,
      });
    }
    return out.sort((x, y) => x.at - y.at);
  }

  /**
   * Stores an attestation (this node's or a peer's, checked) and compares it with every other one for the same
   * (store, cid, fingerprint): a different state hash is an alarm. Returns the alarms this one raised (none for an
   * attestation already held as is).
   */
  attest(a: Attestation): Promise<AttestationAlarm[]> {
    // One at a time: each compares with what the ones before it stored (two peers may sync at once).
    const run = this.attesting.then(() => this.attestOne(a));
    this.attesting = run.catch(() => undefined);
    return run;
  }

  private async attestOne(a: Attestation): Promise<AttestationAlarm[]> {
    const prefix = key(ATTEST, a.storeId, a.cid, a.fingerprint);
    // The same attestation again (every sync exchanges them): already verified and compared, nothing new to raise.
    const held = this.table.get(Buffer.concat([prefix, a.node])) as Uint8Array | undefined;
    if (held && bytesEqual(new Uint8Array(held), concatBytes(a.stateHash, a.signature))) return [];
    if (!verifyAttestation(a)) throw new LatticeError('E_BAD_SIGNATURE', 'the attestation signature does not verify', { node: toHex(a.node) });
    const alarms: AttestationAlarm[] = [];
    for (const { key: k, value } of this.table.getRange({ start: prefix, end: prefixEnd(prefix) })) {
      const other = new Uint8Array((k as Uint8Array).subarray(prefix.length));
      if (bytesEqual(other, a.node)) continue;
      const otherHash = new Uint8Array(value).subarray(0, 32);
      if (bytesEqual(otherHash, a.stateHash)) continue;
      const alarm: AttestationAlarm = {
        storeId: toHex(a.storeId), cid: toHex(a.cid), fingerprint: toHex(a.fingerprint), node: toHex(a.node), other: toHex(other),
        stateHash: toHex(a.stateHash), otherStateHash: toHex(otherHash), at: Date.now(),
      };
      alarms.push(alarm);
      await this.table.put(key(ALARM, a.storeId, a.cid, a.fingerprint, a.node), packValue({ ...alarm }));
      this.alarmsRaised++;
      log.error('divergence alarm: store %s, module b3:%s, same witnessed set %s: node %s attests state %s, node %s attests %s',
        alarm.storeId, alarm.cid, alarm.fingerprint, alarm.node, alarm.stateHash, alarm.other, alarm.otherStateHash);
    }
    await this.table.put(Buffer.concat([prefix, a.node]), Buffer.concat([a.stateHash, a.signature]));
    return alarms;
  }

  /**
   * Attestations of a store a peer sent: all are checked first (E_BAD_SIGNATURE, and none is stored, if one does
   * not verify), then each is stored and compared. Returns the alarms they raised.
   */
  async receive(storeId: StoreId, items: readonly WireAttestation[]): Promise<AttestationAlarm[]> {
    const all = items.map((w): Attestation => ({ storeId, cid: w.cid, fingerprint: w.fingerprint, stateHash: w.stateHash, node: w.node, signature: w.signature }));
    const bad = all.find((a) => !verifyAttestation(a));
    if (bad) throw new LatticeError('E_BAD_SIGNATURE', 'a peer sent an attestation whose signature does not verify', { node: toHex(bad.node), storeId: toHex(storeId) });
    const alarms: AttestationAlarm[] = [];
    for (const a of all) alarms.push(...(await this.attest(a)));
    return alarms;
  }

  /** A store's attestations as they travel (the store is the message's). */
  wire(storeId: StoreId): WireAttestation[] {
    return this.attestations(storeId).map((a) => ({ node: a.node, cid: a.cid, fingerprint: a.fingerprint, stateHash: a.stateHash, signature: a.signature }));
  }

  /** Stored attestations of a store, this node's and its peers'. */
  attestations(storeId: StoreId): Attestation[] {
    const prefix = key(ATTEST, storeId);
    const out: Attestation[] = [];
    for (const { key: k, value } of this.table.getRange({ start: prefix, end: prefixEnd(prefix) })) {
      const kb = new Uint8Array(k as Uint8Array);
      const v = new Uint8Array(value);
      out.push({
        storeId, cid: kb.slice(17, 49) as Cid, fingerprint: kb.slice(49, 49 + FINGERPRINT_SIZE), node: kb.slice(49 + FINGERPRINT_SIZE) as NodeId,
        stateHash: v.slice(0, 32), signature: v.slice(32),
      });
    }
    return out;
  }

  alarms(storeId: StoreId): AttestationAlarm[] {
    const prefix = key(ALARM, storeId);
    return [...this.table.getRange({ start: prefix, end: prefixEnd(prefix) })].map(({ value }) => unpackValue(new Uint8Array(value)) as AttestationAlarm);
  }
}
