// Compact clone batches (DESIGN §7): a SignedIntention carries its author (bytes 0..32) and store id (44..60); in a
// batch of one store those travel once, as the batch's storeId and an author table, saving 48 bytes per intention.
import { bytesEqual, toHex, type NodeId, type StoreId } from '../model/index.js';
import { badFrame } from './wire-schema.js';
import type { CloneBatch } from './wire.js';

const AUTHOR_END = 32;
const STORE_AT = 44;
const STORE_END = 60;

/** Builds a `clone` message from SignedIntentions (encoding ‖ signature) of `storeId`, in witness order. */
export function packCloneBatch(storeId: StoreId, fromSeq: number, signed: readonly Uint8Array[], done: boolean): CloneBatch {
  const authors: NodeId[] = [];
  const index = new Map<string, number>();
  const authorIx: number[] = new Array<number>(signed.length);
  const bodies: Uint8Array[] = new Array<Uint8Array>(signed.length);
  let last: Uint8Array | undefined;
  let lastIx = -1;
  for (let i = 0; i < signed.length; i++) {
    const s = signed[i]!;
    if (s.length < STORE_END || !bytesEqual(s.subarray(STORE_AT, STORE_END), storeId)) {
      throw badFrame('clone: an intention of another store (or truncated) in the batch');
    }
    const author = s.subarray(0, AUTHOR_END);
    // Runs of one author are the common case (a writer's chain): compare bytes before building a map key.
    if (last === undefined || !bytesEqual(author, last)) {
      const key = toHex(author);
      let ix = index.get(key);
      if (ix === undefined) {
        ix = authors.length;
        index.set(key, ix);
        authors.push(author.slice() as NodeId);
      }
      last = author;
      lastIx = ix;
    }
    authorIx[i] = lastIx;
    const body = new Uint8Array(s.length - 48);
    body.set(s.subarray(AUTHOR_END, STORE_AT), 0);
    body.set(s.subarray(STORE_END), STORE_AT - AUTHOR_END);
    bodies[i] = body;
  }
  return { t: 'clone', storeId, fromSeq, authors, authorIx, bodies, done };
}

/** The SignedIntentions of a decoded (schema-checked) `clone` message, re-assembled byte for byte. */
export function unpackCloneBatch(m: CloneBatch): Uint8Array[] {
  if (m.authorIx.length !== m.bodies.length) throw badFrame('clone: authorIx and bodies differ in length');
  // One buffer for the batch, each intention a view of it: one allocation instead of one per intention.
  let total = 0;
  for (let i = 0; i < m.bodies.length; i++) {
    const body = m.bodies[i]!;
    if (!m.authors[m.authorIx[i]!] || body.length < STORE_AT - AUTHOR_END) throw badFrame('clone: malformed item', { index: i });
    total += body.length + 48;
  }
  const slab = new Uint8Array(total);
  const out = new Array<Uint8Array>(m.bodies.length);
  for (let i = 0, o = 0; i < m.bodies.length; i++) {
    const author = m.authors[m.authorIx[i]!]!;
    const body = m.bodies[i]!;
    const s = slab.subarray(o, o + body.length + 48);
    s.set(author, 0);
    s.set(body.subarray(0, STORE_AT - AUTHOR_END), AUTHOR_END);
    s.set(m.storeId, STORE_AT);
    s.set(body.subarray(STORE_AT - AUTHOR_END), STORE_END);
    out[i] = s;
    o += s.length;
  }
  return out;
}
