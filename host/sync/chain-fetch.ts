// FetchChain as a pure core (DESIGN §7): a receiver missing an intention's storePrev or causal deps decides which
// hashes to ask for; a responder walks back from the asked hashes along storePrev and condition until it reaches
// what the receiver knows, what it does not hold itself, or its bound. The shell does the streams and the store.
import { bytesEqual, toHex } from '../model/bytes.js';
import { LatticeError } from '../model/errors.js';
import { ZERO_HASH, type Hash } from '../model/ids.js';

/** What the walk needs of an intention: its hash and the hashes it points back to. */
export interface ChainLink {
  readonly hash: Hash;
  /** ZERO_HASH for an author's first intention in the store. */
  readonly storePrev: Hash;
  readonly condition: readonly Hash[];
}

/** Default bound on the hashes one request names and the links one reply carries. */
export const MAX_CHAIN_REQUEST = 1024;

function predecessors(link: ChainLink): Hash[] {
  return bytesEqual(link.storePrev, ZERO_HASH) ? [...link.condition] : [link.storePrev, ...link.condition];
}

export interface RequestOptions {
  /** Hashes already asked for in this recovery (hex): never asked twice, so a lying peer cannot loop us. */
  asked?: ReadonlySet<string>;
  /** At most this many hashes (default MAX_CHAIN_REQUEST). */
  max?: number;
}

/**
 * Receiver: the predecessors of the received links that are not known locally, not in the batch itself and not
 * asked before, in order of first mention, deduplicated, at most `max`.
 */
export function hashesToRequest(received: readonly ChainLink[], isKnown: (h: Hash) => boolean, options: RequestOptions = {}): Hash[] {
  const max = options.max ?? MAX_CHAIN_REQUEST;
  const inBatch = new Set(received.map((l) => toHex(l.hash)));
  const seen = new Set<string>();
  const out: Hash[] = [];
  for (const link of received) {
    for (const p of predecessors(link)) {
      const k = toHex(p);
      if (seen.has(k) || inBatch.has(k) || options.asked?.has(k)) continue;
      seen.add(k);
      if (isKnown(p)) continue;
      out.push(p);
      if (out.length >= max) return out;
    }
  }
  return out;
}

export interface WalkOptions {
  /** At most this many links in the reply (default MAX_CHAIN_REQUEST). */
  limit?: number;
  /** Hashes the receiver says it holds (its heads, say): the walk stops there without sending them. */
  stopAt?: (h: Hash) => boolean;
}

export interface WalkResult {
  /** The links found, ancestors before descendants, so the receiver can ingest them in order. */
  links: ChainLink[];
  /** Hashes reached but not walked because of the limit: the receiver's next request. */
  frontier: Hash[];
  /** Hashes asked for or reached that this side does not hold. */
  unknown: Hash[];
}

/**
 * Responder: breadth-first from the requested hashes (nearest first, so a bounded reply carries the links the
 * receiver is most directly missing), then ordered ancestors first.
 */
export function walkChain(requested: readonly Hash[], lookup: (h: Hash) => ChainLink | undefined, options: WalkOptions = {}): WalkResult {
  const limit = options.limit ?? MAX_CHAIN_REQUEST;
  if (!Number.isInteger(limit) || limit < 0) throw new LatticeError('E_BAD_ARGUMENT', `bad chain walk limit: ${limit}`);
  const found = new Map<string, ChainLink>();
  const queued = new Set<string>();
  const queue: Hash[] = [];
  const unknown: Hash[] = [];
  const enqueue = (h: Hash): void => {
    const k = toHex(h);
    if (queued.has(k) || bytesEqual(h, ZERO_HASH) || options.stopAt?.(h)) return;
    queued.add(k);
    queue.push(h);
  };
  for (const h of requested) enqueue(h);
  let head = 0;
  while (head < queue.length && found.size < limit) {
    const h = queue[head++]!;
    const link = lookup(h);
    if (!link) {
      unknown.push(h);
      continue;
    }
    if (!bytesEqual(link.hash, h)) throw new LatticeError('E_HOST_FAULT', `chain lookup returned ${toHex(link.hash)} for ${toHex(h)}`);
    found.set(toHex(h), link);
    for (const p of predecessors(link)) enqueue(p);
  }
  return { links: ancestorsFirst(found), frontier: queue.slice(head), unknown };
}

/** Iterative depth-first post-order over the found links (chains can be long: no recursion). */
function ancestorsFirst(found: Map<string, ChainLink>): ChainLink[] {
  const out: ChainLink[] = [];
  const done = new Set<string>();
  for (const [key, start] of found) {
    if (done.has(key)) continue;
    const stack: { link: ChainLink; preds: Hash[]; i: number }[] = [{ link: start, preds: predecessors(start), i: 0 }];
    done.add(key);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.preds.length) {
        const k = toHex(top.preds[top.i++]!);
        const next = found.get(k);
        if (next && !done.has(k)) {
          done.add(k);
          stack.push({ link: next, preds: predecessors(next), i: 0 });
        }
      } else {
        out.push(top.link);
        stack.pop();
      }
    }
  }
  return out;
}
