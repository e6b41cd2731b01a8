// The typed-array body of NegentropyTree: leaf slabs and internal nodes, their growth, splits, bulk build and
// the read paths (seek by index, lower bound by key, prefix sums). Leaves are never freed (there is no erase:
// intentions stay), and a split always moves items to a new node on the right, so a node's first leaf is fixed
// at its creation and serves as its separator key.
import { addId, addWords, ID_SIZE, SUM_WORDS, subId, subWords } from './accumulator.js';

// On little-endian machines (all Node targets in practice) an id's 32 bytes read as eight u32 words are exactly its
// 256-bit little-endian value, so sums add words straight from the slab; elsewhere they assemble bytes.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export const LEAF_CAP = 64;
export const FANOUT = 32;
/** Room for one extra child while a node is being split. */
export const KID_STRIDE = FANOUT + 1;

export class TreeSlabs {
  // leaves: slot s of leaf l is l * LEAF_CAP + s
  protected leafLen = 0;
  protected lSize = new Uint8Array(0);
  protected lNext = new Int32Array(0);
  protected lSum = new Uint32Array(0);
  ids = new Uint8Array(0);
  /** A word view of `ids` on little-endian machines. */
  private idWords: Uint32Array | null = null;
  hi = new Uint32Array(0);
  lo = new Uint32Array(0);
  // internal nodes
  protected nodeLen = 0;
  protected nLen = new Uint8Array(0);
  protected nKids = new Int32Array(0);
  protected nCount = new Float64Array(0);
  protected nSum = new Uint32Array(0);
  protected nFirst = new Int32Array(0);

  protected root = -1;
  /** 0: the root is a leaf. */
  protected height = 0;
  protected count = 0;

  /** Bytes held by the index (typed arrays), for the memory budget. */
  indexBytes(): number {
    return this.lSize.byteLength + this.lNext.byteLength + this.lSum.byteLength + this.ids.byteLength + this.hi.byteLength +
      this.lo.byteLength + this.nLen.byteLength + this.nKids.byteLength + this.nCount.byteLength + this.nSum.byteLength +
      this.nFirst.byteLength;
  }

  /** Sign of (item in slot) - (hi, lo, id[o..o+32)). */
  compareSlot(slot: number, hi: number, lo: number, id: Uint8Array, o: number): number {
    const h = this.hi[slot]!;
    if (h !== hi) return h < hi ? -1 : 1;
    const l = this.lo[slot]!;
    if (l !== lo) return l < lo ? -1 : 1;
    const ids = this.ids;
    const s = slot * ID_SIZE;
    for (let i = 0; i < ID_SIZE; i++) {
      const d = ids[s + i]! - id[o + i]!;
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    return 0;
  }

  /** The global index of the first item >= (hi, lo, id), or the size. */
  lowerBound(hi: number, lo: number, id: Uint8Array, o = 0): number {
    if (this.root < 0) return 0;
    let node = this.root;
    let left = 0;
    for (let level = this.height; level > 0; level--) {
      const base = node * KID_STRIDE;
      // the last child whose first item is < the key (or the first child)
      let a = 1;
      let b = this.nLen[node]!;
      while (a < b) {
        const m = (a + b) >> 1;
        if (this.compareSlot(this.firstSlot(this.nKids[base + m]!, level - 1), hi, lo, id, o) < 0) a = m + 1;
        else b = m;
      }
      for (let j = 0; j < a - 1; j++) left += this.countOf(this.nKids[base + j]!, level - 1);
      node = this.nKids[base + a - 1]!;
    }
    const base = node * LEAF_CAP;
    let a = 0;
    let b = this.lSize[node]!;
    while (a < b) {
      const m = (a + b) >> 1;
      if (this.compareSlot(base + m, hi, lo, id, o) < 0) a = m + 1;
      else b = m;
    }
    return left + a;
  }

  /** The slot of the item at a global index (0 <= index < count). */
  seek(index: number): number {
    let node = this.root;
    for (let level = this.height; level > 0; level--) {
      const base = node * KID_STRIDE;
      let i = 0;
      for (;; i++) {
        const c = this.countOf(this.nKids[base + i]!, level - 1);
        if (index < c) break;
        index -= c;
      }
      node = this.nKids[base + i]!;
    }
    return node * LEAF_CAP + index;
  }

  /** Calls cb(slot, index) for items [begin, end) in order, stopping early when cb returns false. */
  iterate(begin: number, end: number, cb: (slot: number, index: number) => boolean | void): void {
    if (begin >= end) return;
    const first = this.seek(begin);
    let leaf = Math.floor(first / LEAF_CAP);
    let j = first - leaf * LEAF_CAP;
    for (let index = begin; index < end; index++) {
      if (cb(leaf * LEAF_CAP + j, index) === false) return;
      if (++j >= this.lSize[leaf]!) {
        leaf = this.lNext[leaf]!;
        j = 0;
      }
    }
  }

  /** out[o..o+8) = sum of the ids of items [0, index), from the nodes' sums on one descent. */
  prefixSum(index: number, out: Uint32Array, o: number): void {
    out.fill(0, o, o + SUM_WORDS);
    if (this.root < 0 || index === 0) return;
    if (index >= this.count) {
      addWords(out, o, this.height === 0 ? this.lSum : this.nSum, this.root * SUM_WORDS);
      return;
    }
    let node = this.root;
    for (let level = this.height; level > 0; level--) {
      const base = node * KID_STRIDE;
      const len = this.nLen[node]!;
      let i = 0;
      for (;; i++) {
        const c = this.countOf(this.nKids[base + i]!, level - 1);
        if (index < c) break;
        index -= c;
      }
      const sums = level === 1 ? this.lSum : this.nSum;
      // add the children left of i, or the node's sum less the children from i: whichever is fewer
      if (i <= len >> 1) {
        for (let j = 0; j < i; j++) addWords(out, o, sums, this.nKids[base + j]! * SUM_WORDS);
      } else {
        addWords(out, o, this.nSum, node * SUM_WORDS);
        for (let j = i; j < len; j++) subWords(out, o, sums, this.nKids[base + j]! * SUM_WORDS);
      }
      node = this.nKids[base + i]!;
    }
    this.addLeafPrefix(node, index, out, o);
  }

  /** out[o..o+8) += the id in a slot. */
  addSlot(out: Uint32Array, o: number, slot: number): void {
    if (this.idWords) addWords(out, o, this.idWords, slot * SUM_WORDS);
    else addId(out, o, this.ids, slot * ID_SIZE);
  }

  private subSlot(out: Uint32Array, o: number, slot: number): void {
    if (this.idWords) subWords(out, o, this.idWords, slot * SUM_WORDS);
    else subId(out, o, this.ids, slot * ID_SIZE);
  }

  private addLeafPrefix(leaf: number, index: number, out: Uint32Array, o: number): void {
    const base = leaf * LEAF_CAP;
    const size = this.lSize[leaf]!;
    if (index <= size >> 1) {
      for (let j = 0; j < index; j++) this.addSlot(out, o, base + j);
    } else {
      addWords(out, o, this.lSum, leaf * SUM_WORDS);
      for (let j = index; j < size; j++) this.subSlot(out, o, base + j);
    }
  }

  protected countOf(ref: number, level: number): number {
    return level === 0 ? this.lSize[ref]! : this.nCount[ref]!;
  }

  protected firstSlot(ref: number, level: number): number {
    return (level === 0 ? ref : this.nFirst[ref]!) * LEAF_CAP;
  }

  protected writeSlot(slot: number, hi: number, lo: number, id: Uint8Array, o: number): void {
    this.ids.set(id.subarray(o, o + ID_SIZE), slot * ID_SIZE);
    this.hi[slot] = hi;
    this.lo[slot] = lo;
  }

  /** Moves slots [from, to) one slot right. */
  protected shiftSlots(from: number, to: number): void {
    this.ids.copyWithin((from + 1) * ID_SIZE, from * ID_SIZE, to * ID_SIZE);
    this.hi.copyWithin(from + 1, from, to);
    this.lo.copyWithin(from + 1, from, to);
  }

  protected allocLeaf(): number {
    if (this.leafLen === this.lSize.length) this.growLeaves(Math.ceil(this.leafLen * 1.25) + 16);
    this.lNext[this.leafLen] = -1;
    return this.leafLen++;
  }

  protected allocNode(): number {
    if (this.nodeLen === this.nLen.length) this.growNodes(Math.ceil(this.nodeLen * 1.5) + 8);
    return this.nodeLen++;
  }

  private growLeaves(cap: number): void {
    this.lSize = grow(this.lSize, cap);
    this.lNext = grow(this.lNext, cap);
    this.lSum = grow(this.lSum, cap * SUM_WORDS);
    this.ids = grow(this.ids, cap * LEAF_CAP * ID_SIZE);
    this.idWords = LITTLE_ENDIAN ? new Uint32Array(this.ids.buffer, this.ids.byteOffset, this.ids.length / 4) : null;
    this.hi = grow(this.hi, cap * LEAF_CAP);
    this.lo = grow(this.lo, cap * LEAF_CAP);
  }

  private growNodes(cap: number): void {
    this.nLen = grow(this.nLen, cap);
    this.nKids = grow(this.nKids, cap * KID_STRIDE);
    this.nCount = grow(this.nCount, cap);
    this.nSum = grow(this.nSum, cap * SUM_WORDS);
    this.nFirst = grow(this.nFirst, cap);
  }

  protected recomputeLeaf(leaf: number): void {
    const s = leaf * SUM_WORDS;
    this.lSum.fill(0, s, s + SUM_WORDS);
    const base = leaf * LEAF_CAP;
    for (let j = 0; j < this.lSize[leaf]!; j++) this.addSlot(this.lSum, s, base + j);
  }

  protected recomputeNode(node: number, level: number): void {
    const s = node * SUM_WORDS;
    this.nSum.fill(0, s, s + SUM_WORDS);
    let count = 0;
    const sums = level === 1 ? this.lSum : this.nSum;
    for (let j = 0; j < this.nLen[node]!; j++) {
      const kid = this.nKids[node * KID_STRIDE + j]!;
      addWords(this.nSum, s, sums, kid * SUM_WORDS);
      count += this.countOf(kid, level - 1);
    }
    this.nCount[node] = count;
  }

  /** Builds the tree from n sorted unique items, fill(k, slot) writing item k into a slot; leaves packed full. */
  protected bulkBuild(n: number, fill: (k: number, slot: number) => void): void {
    const leaves = Math.ceil(n / LEAF_CAP);
    this.growLeaves(leaves);
    for (let l = 0; l < leaves; l++) {
      const size = Math.min(LEAF_CAP, n - l * LEAF_CAP);
      for (let j = 0; j < size; j++) fill(l * LEAF_CAP + j, l * LEAF_CAP + j);
      this.lSize[l] = size;
      this.lNext[l] = l + 1 < leaves ? l + 1 : -1;
      this.recomputeLeaf(l);
    }
    this.leafLen = leaves;
    this.count = n;
    if (leaves === 0) return;
    let level = 0;
    let refs = Int32Array.from({ length: leaves }, (_, i) => i);
    while (refs.length > 1) {
      const next = new Int32Array(Math.ceil(refs.length / FANOUT));
      for (let k = 0; k < next.length; k++) {
        const node = this.allocNode();
        const kids = refs.subarray(k * FANOUT, Math.min(refs.length, (k + 1) * FANOUT));
        this.nKids.set(kids, node * KID_STRIDE);
        this.nLen[node] = kids.length;
        this.nFirst[node] = level === 0 ? kids[0]! : this.nFirst[kids[0]!]!;
        this.recomputeNode(node, level + 1);
        next[k] = node;
      }
      refs = next;
      level++;
    }
    this.root = refs[0]!;
    this.height = level;
  }
}

function grow<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(a: T, length: number): T {
  const next = new (a.constructor as new (n: number) => T)(length);
  next.set(a as never);
  return next;
}
