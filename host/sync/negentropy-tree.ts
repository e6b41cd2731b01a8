// The Negentropy storage: an order-statistic B-tree over (timestamp, id) items whose nodes keep their subtree's
// count and mod-2^256 id sum, so a range fingerprint is two O(log n) prefix descents, never a scan (as the
// reference's BTreeMem). Everything lives in typed arrays: ids in one slab (32 bytes per slot), timestamps as two
// u32 (u64 without bigint), leaves of LEAF_CAP slots, so an index costs ~40 bytes per item plus slack in leaves.
// Items inserted before seal() are buffered and bulk-built (sorted, packed leaves); after it, insert is O(log n).
import { LatticeError } from '../model/errors.js';
import { addId, fingerprintOf, ID_SIZE, SUM_WORDS, subWords } from './accumulator.js';
import { FANOUT, KID_STRIDE, LEAF_CAP, TreeSlabs } from './tree-slabs.js';
import { MAX_U64 } from './wire.js';

export type Timestamp = number | bigint;

/** Splits a timestamp into u32 halves; throws E_BAD_ARGUMENT outside [0, 2^64 - 1) (2^64 - 1 means infinity). */
export function splitTimestamp(ts: Timestamp): [hi: number, lo: number] {
  if (typeof ts === 'number') {
    if (!Number.isSafeInteger(ts) || ts < 0) throw new LatticeError('E_BAD_ARGUMENT', `bad negentropy timestamp: ${ts}`);
    return [Math.floor(ts / 0x1_0000_0000), ts >>> 0];
  }
  if (ts < 0n || ts >= MAX_U64) throw new LatticeError('E_BAD_ARGUMENT', `bad negentropy timestamp: ${ts}`);
  return [Number(ts >> 32n), Number(ts & 0xffffffffn)];
}

export class NegentropyTree extends TreeSlabs {
  private sealed = false;
  // the pre-seal buffer, in insertion order
  private bufIds = new Uint8Array(ID_SIZE * 64);
  private bufHi = new Uint32Array(64);
  private bufLo = new Uint32Array(64);
  private bufLen = 0;
  // insert's descent path, indexed by level
  private pathNode = new Int32Array(32);
  private pathPos = new Int32Array(32);
  private pathRight = new Uint8Array(32);
  // a full leaf plus the new item, while splitting
  private tmpIds = new Uint8Array((LEAF_CAP + 1) * ID_SIZE);
  private tmpHi = new Uint32Array(LEAF_CAP + 1);
  private tmpLo = new Uint32Array(LEAF_CAP + 1);

  get isSealed(): boolean {
    return this.sealed;
  }

  /** Items in the tree; before seal, items buffered (duplicates are dropped at seal). */
  size(): number {
    return this.sealed ? this.count : this.bufLen;
  }

  /**
   * Adds an item. Before seal() it is buffered (O(1)); after, it goes into the tree in O(log n) and the
   * return value says whether it was new.
   */
  insert(timestamp: Timestamp, id: Uint8Array): boolean {
    if (id.length !== ID_SIZE) throw new LatticeError('E_BAD_ARGUMENT', `a negentropy id is ${ID_SIZE} bytes, got ${id.length}`);
    const [hi, lo] = splitTimestamp(timestamp);
    if (!this.sealed) {
      this.bufferItem(hi, lo, id);
      return true;
    }
    return this.insertSealed(hi, lo, id);
  }

  /** Bulk-builds the tree from the buffered items (sorted, duplicates dropped). Idempotent. */
  seal(): this {
    if (this.sealed) return this;
    const n = this.bufLen;
    const ids = this.bufIds;
    const hi = this.bufHi;
    const lo = this.bufLo;
    const cmp = (a: number, b: number): number => {
      if (hi[a] !== hi[b]) return hi[a]! < hi[b]! ? -1 : 1;
      if (lo[a] !== lo[b]) return lo[a]! < lo[b]! ? -1 : 1;
      const oa = a * ID_SIZE;
      const ob = b * ID_SIZE;
      for (let i = 0; i < ID_SIZE; i++) if (ids[oa + i] !== ids[ob + i]) return ids[oa + i]! < ids[ob + i]! ? -1 : 1;
      return 0;
    };
    const order = new Uint32Array(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      if (sorted && i > 0 && cmp(i - 1, i) > 0) sorted = false;
    }
    if (!sorted) order.sort(cmp);
    let unique = 0;
    for (let i = 0; i < n; i++) if (i === 0 || cmp(order[i - 1]!, order[i]!) !== 0) order[unique++] = order[i]!;
    this.bulkBuild(unique, (k, slot) => {
      const src = order[k]!;
      this.ids.set(ids.subarray(src * ID_SIZE, src * ID_SIZE + ID_SIZE), slot * ID_SIZE);
      this.hi[slot] = hi[src]!;
      this.lo[slot] = lo[src]!;
    });
    this.bufIds = new Uint8Array(0);
    this.bufHi = new Uint32Array(0);
    this.bufLo = new Uint32Array(0);
    this.bufLen = 0;
    this.sealed = true;
    return this;
  }

  /** The fingerprint of items [begin, end). */
  fingerprint(begin: number, end: number): Uint8Array {
    this.checkRange(begin, end);
    const acc = new Uint32Array(2 * SUM_WORDS);
    this.prefixSum(begin, acc, 0);
    this.prefixSum(end, acc, SUM_WORDS);
    subWords(acc, SUM_WORDS, acc, 0);
    return fingerprintOf(acc, SUM_WORDS, end - begin);
  }

  /** The item at an index (copies; for tests and tools, not the hot path). */
  itemAt(index: number): { timestamp: bigint; id: Uint8Array } {
    this.checkRange(index, index + 1);
    const slot = this.seek(index);
    return {
      timestamp: (BigInt(this.hi[slot]!) << 32n) | BigInt(this.lo[slot]!),
      id: this.ids.slice(slot * ID_SIZE, slot * ID_SIZE + ID_SIZE),
    };
  }

  checkRange(begin: number, end: number): void {
    if (!this.sealed) throw new LatticeError('E_BAD_ARGUMENT', 'negentropy tree is not sealed');
    if (!(begin >= 0 && begin <= end && end <= this.count)) {
      throw new LatticeError('E_BAD_ARGUMENT', `bad negentropy range [${begin}, ${end}) of ${this.count}`);
    }
  }

  private bufferItem(hi: number, lo: number, id: Uint8Array): void {
    if (this.bufLen === this.bufHi.length) {
      const cap = this.bufLen * 2;
      const ids = new Uint8Array(cap * ID_SIZE);
      ids.set(this.bufIds);
      this.bufIds = ids;
      const h = new Uint32Array(cap);
      h.set(this.bufHi);
      this.bufHi = h;
      const l = new Uint32Array(cap);
      l.set(this.bufLo);
      this.bufLo = l;
    }
    this.bufIds.set(id, this.bufLen * ID_SIZE);
    this.bufHi[this.bufLen] = hi;
    this.bufLo[this.bufLen] = lo;
    this.bufLen++;
  }

  private insertSealed(hi: number, lo: number, id: Uint8Array): boolean {
    if (this.root < 0) {
      const leaf = this.allocLeaf();
      this.writeSlot(leaf * LEAF_CAP, hi, lo, id, 0);
      this.lSize[leaf] = 1;
      addId(this.lSum, leaf * SUM_WORDS, id, 0);
      this.root = leaf;
      this.height = 0;
      this.count = 1;
      return true;
    }
    // Descend: at each node, the last child whose first item is <= the new item.
    let node = this.root;
    let right = 1;
    for (let level = this.height; level > 0; level--) {
      const base = node * KID_STRIDE;
      let i = this.nLen[node]! - 1;
      while (i > 0 && this.compareSlot(this.firstSlot(this.nKids[base + i]!, level - 1), hi, lo, id, 0) > 0) i--;
      this.pathNode[level] = node;
      this.pathPos[level] = i;
      this.pathRight[level] = right;
      right = right && i === this.nLen[node]! - 1 ? 1 : 0;
      node = this.nKids[base + i]!;
    }
    const leaf = node;
    const size = this.lSize[leaf]!;
    const base = leaf * LEAF_CAP;
    let a = 0;
    let b = size;
    while (a < b) {
      const m = (a + b) >> 1;
      if (this.compareSlot(base + m, hi, lo, id, 0) < 0) a = m + 1;
      else b = m;
    }
    if (a < size && this.compareSlot(base + a, hi, lo, id, 0) === 0) return false;

    let sibling = -1;
    if (size < LEAF_CAP) {
      this.shiftSlots(base + a, base + size);
      this.writeSlot(base + a, hi, lo, id, 0);
      this.lSize[leaf] = size + 1;
      addId(this.lSum, leaf * SUM_WORDS, id, 0);
    } else {
      sibling = this.splitLeaf(leaf, a, hi, lo, id, right === 1);
    }
    for (let level = 1; level <= this.height; level++) {
      const n = this.pathNode[level]!;
      if (sibling >= 0) {
        const kb = n * KID_STRIDE;
        const p = this.pathPos[level]! + 1;
        const len = this.nLen[n]!;
        this.nKids.copyWithin(kb + p + 1, kb + p, kb + len);
        this.nKids[kb + p] = sibling;
        this.nLen[n] = len + 1;
        if (len + 1 > FANOUT) {
          sibling = this.splitNode(n, level, this.pathRight[level] === 1);
          continue;
        }
        sibling = -1;
      }
      this.nCount[n]!++;
      addId(this.nSum, n * SUM_WORDS, id, 0);
    }
    if (sibling >= 0) {
      const r = this.allocNode();
      this.nKids[r * KID_STRIDE] = this.root;
      this.nKids[r * KID_STRIDE + 1] = sibling;
      this.nLen[r] = 2;
      this.nFirst[r] = this.height === 0 ? this.root : this.nFirst[this.root]!;
      this.height++;
      this.recomputeNode(r, this.height);
      this.root = r;
    }
    this.count++;
    return true;
  }

  /** Splits a full leaf while inserting at pos; the right-most leaf stays full (appends dominate). */
  private splitLeaf(leaf: number, pos: number, hi: number, lo: number, id: Uint8Array, rightmost: boolean): number {
    const r = this.allocLeaf();
    const base = leaf * LEAF_CAP;
    const { tmpIds, tmpHi, tmpLo } = this;
    tmpIds.set(this.ids.subarray(base * ID_SIZE, (base + pos) * ID_SIZE), 0);
    tmpIds.set(id.subarray(0, ID_SIZE), pos * ID_SIZE);
    tmpIds.set(this.ids.subarray((base + pos) * ID_SIZE, (base + LEAF_CAP) * ID_SIZE), (pos + 1) * ID_SIZE);
    tmpHi.set(this.hi.subarray(base, base + pos), 0);
    tmpHi[pos] = hi;
    tmpHi.set(this.hi.subarray(base + pos, base + LEAF_CAP), pos + 1);
    tmpLo.set(this.lo.subarray(base, base + pos), 0);
    tmpLo[pos] = lo;
    tmpLo.set(this.lo.subarray(base + pos, base + LEAF_CAP), pos + 1);
    const nl = rightmost ? LEAF_CAP : LEAF_CAP / 2 + 1;
    const rb = r * LEAF_CAP;
    this.ids.set(tmpIds.subarray(0, nl * ID_SIZE), base * ID_SIZE);
    this.ids.set(tmpIds.subarray(nl * ID_SIZE, (LEAF_CAP + 1) * ID_SIZE), rb * ID_SIZE);
    this.hi.set(tmpHi.subarray(0, nl), base);
    this.hi.set(tmpHi.subarray(nl), rb);
    this.lo.set(tmpLo.subarray(0, nl), base);
    this.lo.set(tmpLo.subarray(nl), rb);
    this.lSize[leaf] = nl;
    this.lSize[r] = LEAF_CAP + 1 - nl;
    this.lNext[r] = this.lNext[leaf]!;
    this.lNext[leaf] = r;
    this.recomputeLeaf(leaf);
    this.recomputeLeaf(r);
    return r;
  }

  /** Splits a node holding FANOUT + 1 children into itself and a new right sibling. */
  private splitNode(node: number, level: number, rightmost: boolean): number {
    const r = this.allocNode();
    const nl = rightmost ? FANOUT : FANOUT / 2 + 1;
    const kb = node * KID_STRIDE;
    const rb = r * KID_STRIDE;
    this.nKids.copyWithin(rb, kb + nl, kb + FANOUT + 1);
    this.nLen[node] = nl;
    this.nLen[r] = FANOUT + 1 - nl;
    const first = this.nKids[rb]!;
    this.nFirst[r] = level === 1 ? first : this.nFirst[first]!;
    this.recomputeNode(node, level);
    this.recomputeNode(r, level);
    return r;
  }
}
