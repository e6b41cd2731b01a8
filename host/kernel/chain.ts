// Witness chain checks (DESIGN §3). On open: walk back from the signed head to the last verified checkpoint
// (a flipped byte after it refuses open). verify(): the whole chain, every record's intention bytes against its
// hash and signature, and the live state against the stored state hash. Both name the seq that fails.
import { blake3, bytesEqual, decodeSigned, LatticeError, toHex, verifyFor, verifySignature, ZERO_HASH, type Hash, type NodeKey, type StoreId } from '../model/index.js';
import { seqKey, type Tables } from '../storage/index.js';
import { loadCheckpoint, loadSignedHead, type HeadState, type SignedHead } from './head-state.js';
import { decodeWitnessRecord } from './records.js';
import { computeStateHash } from './state-view.js';

export const HEAD_PURPOSE = 'witness-head';

export function headPayload(storeId: StoreId, seq: number, recordHash: Hash): Uint8Array {
  const b = new Uint8Array(16 + 8 + 32);
  b.set(storeId, 0);
  new DataView(b.buffer).setBigUint64(16, BigInt(seq), true);
  b.set(recordHash, 24);
  return b;
}

export function signHead(key: NodeKey, storeId: StoreId, seq: number, recordHash: Hash): SignedHead {
  return { seq, recordHash, signature: key.signFor(HEAD_PURPOSE, headPayload(storeId, seq, recordHash)) };
}

const tampered = (storeId: StoreId, seq: number, what: string): LatticeError =>
  new LatticeError('E_TAMPERED', `store ${toHex(storeId)}: ${what} at seq ${seq}`, { seq, what });

/** Walks the chain back from the signed head to `downTo` (exclusive); returns the hash the record at `downTo` must have. */
function walkBack(t: Tables, storeId: StoreId, head: SignedHead, downTo: number, onRecord?: (seq: number, intentionHash: Hash) => void): Hash {
  let expected = head.recordHash;
  for (let seq = head.seq; seq > downTo; seq--) {
    const raw = t.witnessLog.get(seqKey(storeId, seq));
    if (!raw) throw tampered(storeId, seq, 'witness record missing');
    if (!bytesEqual(blake3(raw), expected)) throw tampered(storeId, seq, 'witness record does not match the chain');
    const rec = decodeWitnessRecord(raw);
    onRecord?.(seq, rec.intentionHash);
    expected = rec.prevRecordHash;
  }
  return expected;
}

function checkHead(t: Tables, storeId: StoreId, author: Uint8Array, head: HeadState): SignedHead {
  const signed = loadSignedHead(t.storeRows, storeId);
  if (!signed) {
    if (head.seq === 0 && !t.witnessLog.get(seqKey(storeId, 1))) return { seq: 0, recordHash: ZERO_HASH, signature: new Uint8Array(64) };
    throw tampered(storeId, head.seq, 'signed head missing');
  }
  if (signed.seq !== head.seq || !bytesEqual(signed.recordHash, head.recordHash)) throw tampered(storeId, signed.seq, 'signed head does not match the log head');
  if (!verifyFor(author, HEAD_PURPOSE, headPayload(storeId, signed.seq, signed.recordHash), signed.signature)) throw tampered(storeId, signed.seq, 'head signature does not verify');
  if (t.witnessLog.get(seqKey(storeId, signed.seq + 1))) throw tampered(storeId, signed.seq + 1, 'witness record beyond the signed head');
  return signed;
}

/** The open-time check: from the signed head back to the last verified checkpoint. Returns the new checkpoint. */
export function verifyTail(t: Tables, storeId: StoreId, author: Uint8Array, head: HeadState): SignedHead {
  const signed = checkHead(t, storeId, author, head);
  const cp = loadCheckpoint(t.storeRows, storeId);
  if (cp.seq > signed.seq) throw tampered(storeId, cp.seq, 'checkpoint beyond the signed head');
  const atCheckpoint = walkBack(t, storeId, signed, cp.seq);
  if (cp.seq > 0 && !bytesEqual(atCheckpoint, cp.recordHash)) throw tampered(storeId, cp.seq + 1, 'chain does not join the checkpoint');
  return signed;
}

export interface VerifyReport {
  readonly records: number;
  readonly intentions: number;
  readonly stateHash: Hash;
}

/** Re-hashes all of it: the chain from the signed head to seq 1, each intention, and the live state hash. */
export function verifyAll(t: Tables, storeId: StoreId, author: Uint8Array, head: HeadState): VerifyReport {
  const signed = checkHead(t, storeId, author, head);
  let intentions = 0;
  const first = walkBack(t, storeId, signed, 0, (seq, hash) => {
    const raw = t.intentions.get(Buffer.from(hash));
    if (!raw) throw tampered(storeId, seq, 'intention missing');
    let ok = false;
    try {
      const s = decodeSigned(new Uint8Array(raw), { verify: false });
      ok = bytesEqual(s.hash, hash) && bytesEqual(s.intention.storeId, storeId) && verifySignature(s.intention.author, s.hash, s.signature);
    } catch {
      ok = false;
    }
    if (!ok) throw tampered(storeId, seq, 'intention bytes do not match their hash or signature');
    intentions++;
  });
  if (signed.seq > 0 && !bytesEqual(first, ZERO_HASH)) throw tampered(storeId, 1, 'first record does not start the chain');
  const live = computeStateHash(t.state, storeId);
  if (!bytesEqual(live, head.stateHash)) throw tampered(storeId, head.projected, 'live state does not match the state hash');
  return { records: signed.seq, intentions, stateHash: live as Hash };
}

