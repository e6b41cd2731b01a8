// Negentropy V1 range-based set reconciliation, a pure core: messages in, messages and have/need ids out, no I/O.
// Wire-compatible with hoytech/negentropy; where its JS port and cpp/negentropy.h differ, this follows the C++
// line for line (64-bit timestamps, the frame-size overflow rule, skip coalescing), so transcripts match byte
// for byte. Only the initiator learns have/need; the node then pushes the haves and fetches the needs.
import { LatticeError } from '../model/errors.js';
import { toHex } from '../model/bytes.js';
import { fingerprintOf, FINGERPRINT_SIZE, ID_SIZE, SUM_WORDS, subWords } from './accumulator.js';
import type { NegentropyTree } from './negentropy-tree.js';
import { Bound, BoundCodec } from './bound.js';
import { badFrame, ByteReader, ByteWriter } from './wire.js';

export const PROTOCOL_VERSION = 0x61;
export const MIN_FRAME_SIZE_LIMIT = 4096;
const MODE_SKIP = 0;
const MODE_FINGERPRINT = 1;
const MODE_ID_LIST = 2;
const BUCKETS = 16;
/** Up to this many items, splitRange sums buckets item by item instead of by prefix descents (measured faster). */
const DIRECT_MAX = 512;

export interface ReconcileResult {
  /** The next message for the responder, or null when reconciliation is complete. */
  output: Uint8Array | null;
  /** Ids this side has and the responder lacks. */
  have: Uint8Array[];
  /** Ids the responder has and this side lacks. */
  need: Uint8Array[];
}

export class Negentropy {
  private initiator = false;
  private readonly bounds = new BoundCodec();
  private readonly acc = new Uint32Array(2 * SUM_WORDS);
  // The last prefix sum computed: ranges arrive in order, so one range's lower index is the previous one's upper.
  // Valid within one message only (the node may insert between messages).
  private cacheIndex = -1;
  private readonly cache = new Uint32Array(SUM_WORDS);
  private readonly slotBuf = new Int32Array(DIRECT_MAX);

  constructor(
    private readonly storage: NegentropyTree,
    readonly frameSizeLimit = 0,
  ) {
    if (!Number.isSafeInteger(frameSizeLimit) || frameSizeLimit < 0 || (frameSizeLimit !== 0 && frameSizeLimit < MIN_FRAME_SIZE_LIMIT)) {
      throw new LatticeError('E_BAD_ARGUMENT', `frameSizeLimit must be 0 or at least ${MIN_FRAME_SIZE_LIMIT}, got ${frameSizeLimit}`);
    }
    if (!storage.isSealed) throw new LatticeError('E_BAD_ARGUMENT', 'negentropy storage must be sealed');
  }

  get isInitiator(): boolean {
    return this.initiator;
  }

  /** The first message; makes this side the initiator. */
  initiate(): Uint8Array {
    if (this.initiator) throw new LatticeError('E_BAD_ARGUMENT', 'negentropy: already initiated');
    this.initiator = true;
    this.cacheIndex = -1;
    const out = new ByteWriter();
    out.byte(PROTOCOL_VERSION);
    this.splitRange(0, this.storage.size(), Bound.infinity(), out);
    return out.toBytes();
  }

  /** Initiator: processes the responder's message. Throws E_BAD_FRAME for a malformed one. */
  reconcile(msg: Uint8Array): ReconcileResult {
    if (!this.initiator) throw new LatticeError('E_BAD_ARGUMENT', 'negentropy: reconcile() is for the initiator; use respond()');
    const have: Uint8Array[] = [];
    const need: Uint8Array[] = [];
    const out = this.reconcileAux(msg, have, need);
    return { output: out.len === 1 ? null : out.toBytes(), have, need };
  }

  /** Responder: the reply to an initiator's message. Throws E_BAD_FRAME for a malformed one. */
  respond(msg: Uint8Array): Uint8Array {
    if (this.initiator) throw new LatticeError('E_BAD_ARGUMENT', 'negentropy: respond() is for the responder; use reconcile()');
    return this.reconcileAux(msg, [], []).toBytes();
  }

  private reconcileAux(msg: Uint8Array, have: Uint8Array[], need: Uint8Array[]): ByteWriter {
    this.bounds.reset(); // timestamps are delta-encoded per message
    this.cacheIndex = -1;
    const query = new ByteReader(msg);
    const full = new ByteWriter();
    full.byte(PROTOCOL_VERSION);

    const version = query.byte();
    if (version < 0x60 || version > 0x6f) throw badFrame('version', `invalid protocol version byte 0x${version.toString(16)}`);
    if (version !== PROTOCOL_VERSION) {
      if (this.initiator) throw badFrame('version', `unsupported protocol version ${version - 0x60}`);
      return full; // the responder answers with the version it speaks
    }

    const storage = this.storage;
    const storageSize = storage.size();
    let prevBound = new Bound();
    let prevIndex = 0;
    let skip = false;
    const o = new ByteWriter();

    while (query.remaining > 0) {
      o.len = 0;
      const doSkip = (): void => {
        if (!skip) return;
        skip = false;
        this.bounds.encode(o, prevBound);
        o.varint(MODE_SKIP);
      };

      const currBound = this.bounds.decode(query);
      const mode = query.varint();
      const lower = prevIndex;
      let upper = Math.min(Math.max(storage.lowerBound(currBound.hi, currBound.lo, currBound.id), prevIndex), storageSize);

      if (mode === MODE_SKIP) {
        skip = true;
      } else if (mode === MODE_FINGERPRINT) {
        const theirs = query.bytes(FINGERPRINT_SIZE);
        const ours = this.fingerprint(lower, upper);
        if (!sameBytes(theirs, ours)) {
          doSkip();
          this.splitRange(lower, upper, currBound, o);
        } else {
          skip = true;
        }
      } else if (mode === MODE_ID_LIST) {
        const numIds = query.varint();
        if (numIds * ID_SIZE > query.remaining) throw badFrame('truncated', 'parse ends prematurely');
        if (this.initiator) {
          const theirs = new Map<string, Uint8Array>();
          for (let i = 0; i < numIds; i++) {
            const e = query.bytes(ID_SIZE);
            theirs.set(toHex(e), e);
          }
          skip = true;
          storage.iterate(lower, upper, (slot) => {
            const id = storage.ids.subarray(slot * ID_SIZE, slot * ID_SIZE + ID_SIZE);
            const k = toHex(id);
            if (!theirs.delete(k)) have.push(id.slice());
          });
          for (const e of theirs.values()) need.push(e.slice());
        } else {
          query.bytes(numIds * ID_SIZE);
          doSkip();
          const responseIds = new ByteWriter();
          let numResponseIds = 0;
          let endBound = currBound;
          storage.iterate(lower, upper, (slot, index) => {
            if (this.exceeded(full.len + responseIds.len)) {
              endBound = this.itemBound(slot);
              upper = index; // shrink so the remaining range gets the right fingerprint
              return false;
            }
            responseIds.bytes(storage.ids, slot * ID_SIZE, ID_SIZE);
            numResponseIds++;
            return true;
          });
          this.bounds.encode(o, endBound);
          o.varint(MODE_ID_LIST);
          o.varint(numResponseIds);
          o.append(responseIds);
          full.append(o);
          o.len = 0;
        }
      } else {
        throw badFrame('mode', `unexpected mode ${mode}`);
      }

      if (this.exceeded(full.len + o.len)) {
        // Over the frame limit: stop here and send one fingerprint for the rest (the reference's exact rule).
        const remaining = this.fingerprint(upper, storageSize);
        this.bounds.encode(full, Bound.infinity());
        full.varint(MODE_FINGERPRINT);
        full.bytes(remaining);
        break;
      }
      full.append(o);
      prevIndex = upper;
      prevBound = currBound;
    }
    return full;
  }

  private splitRange(lower: number, upper: number, upperBound: Bound, o: ByteWriter): void {
    const storage = this.storage;
    const numElems = upper - lower;
    if (numElems < BUCKETS * 2) {
      this.bounds.encode(o, upperBound);
      o.varint(MODE_ID_LIST);
      o.varint(numElems);
      storage.iterate(lower, upper, (slot) => o.bytes(storage.ids, slot * ID_SIZE, ID_SIZE));
      return;
    }
    const perBucket = Math.floor(numElems / BUCKETS);
    const withExtra = numElems % BUCKETS;
    const acc = this.acc;
    // Small ranges: one pass over the items beats 17 descents (same sums, same bytes).
    const slots = numElems <= DIRECT_MAX ? this.rangeSlots(lower, upper) : null;
    let curr = lower;
    if (!slots) this.prefix(curr, acc, 0);
    for (let i = 0; i < BUCKETS; i++) {
      const size = perBucket + (i < withExtra ? 1 : 0);
      const start = curr;
      curr += size;
      let fp: Uint8Array;
      if (slots) {
        acc.fill(0, SUM_WORDS);
        for (let k = start; k < curr; k++) storage.addSlot(acc, SUM_WORDS, slots[k - lower]!);
        fp = fingerprintOf(acc, SUM_WORDS, size);
      } else {
        // fingerprint of the bucket = prefix(curr) - prefix(start)
        this.prefix(curr, acc, SUM_WORDS);
        subWords(acc, SUM_WORDS, acc, 0);
        fp = fingerprintOf(acc, SUM_WORDS, size);
        acc.set(this.cache, 0); // prefix(curr), kept by prefix()
      }

      let nextBound: Bound;
      if (curr === upper) nextBound = upperBound;
      else if (slots) nextBound = this.minimalBound(slots[curr - 1 - lower]!, slots[curr - lower]!);
      else {
        let prevSlot = 0;
        let currSlot = 0;
        storage.iterate(curr - 1, curr + 1, (slot, index) => {
          if (index === curr - 1) prevSlot = slot;
          else currSlot = slot;
        });
        nextBound = this.minimalBound(prevSlot, currSlot);
      }
      this.bounds.encode(o, nextBound);
      o.varint(MODE_FINGERPRINT);
      o.bytes(fp);
    }
  }

  /** The slots of items [lower, upper), in order (a reused buffer). */
  private rangeSlots(lower: number, upper: number): Int32Array {
    const slots = this.slotBuf;
    this.storage.iterate(lower, upper, (slot, index) => {
      slots[index - lower] = slot;
    });
    return slots;
  }

  private prefix(index: number, out: Uint32Array, o: number): void {
    if (index === this.cacheIndex) {
      out.set(this.cache, o);
      return;
    }
    this.storage.prefixSum(index, out, o);
    this.cache.set(out.subarray(o, o + SUM_WORDS));
    this.cacheIndex = index;
  }

  private fingerprint(begin: number, end: number): Uint8Array {
    this.storage.checkRange(begin, end);
    const acc = this.acc;
    this.prefix(begin, acc, 0);
    this.prefix(end, acc, SUM_WORDS);
    subWords(acc, SUM_WORDS, acc, 0);
    return fingerprintOf(acc, SUM_WORDS, end - begin);
  }

  private exceeded(n: number): boolean {
    return this.frameSizeLimit !== 0 && n > this.frameSizeLimit - 200;
  }

  private itemBound(slot: number): Bound {
    const s = this.storage;
    const b = new Bound(s.hi[slot]!, s.lo[slot]!, ID_SIZE);
    b.id.set(s.ids.subarray(slot * ID_SIZE, slot * ID_SIZE + ID_SIZE));
    return b;
  }

  /** The shortest bound separating two neighbouring items. */
  private minimalBound(prevSlot: number, currSlot: number): Bound {
    const s = this.storage;
    const hi = s.hi[currSlot]!;
    const lo = s.lo[currSlot]!;
    if (hi !== s.hi[prevSlot] || lo !== s.lo[prevSlot]) return new Bound(hi, lo, 0);
    const c = currSlot * ID_SIZE;
    const p = prevSlot * ID_SIZE;
    let shared = 0;
    while (shared < ID_SIZE && s.ids[c + shared] === s.ids[p + shared]) shared++;
    const b = new Bound(hi, lo, shared + 1);
    b.id.set(s.ids.subarray(c, c + shared + 1));
    return b;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
