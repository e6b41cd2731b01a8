// Negentropy range bounds and their encoding: a timestamp delta-encoded against the previous bound of the same
// message (0 = infinity, else 1 + delta, in u64 arithmetic as the C++ does), then an id prefix.
import { ID_SIZE } from './accumulator.js';
import { badFrame, type ByteReader, type ByteWriter, MAX_U64 } from './wire.js';

const U32 = 0xffffffff;

/** A range bound: timestamp (u32 halves; all ones = infinity) and an id prefix, zero-padded to 32 bytes. */
export class Bound {
  readonly id = new Uint8Array(ID_SIZE);
  constructor(
    public hi = 0,
    public lo = 0,
    public idLen = 0,
  ) {}

  static infinity(): Bound {
    return new Bound(U32, U32, 0);
  }
}

/** Encodes and decodes bounds, holding the per-message timestamp bases. */
export class BoundCodec {
  private lastIn = 0n;
  private lastOut = 0n;

  reset(): void {
    this.lastIn = 0n;
    this.lastOut = 0n;
  }

  decode(r: ByteReader): Bound {
    let ts = r.varintBig();
    ts = ts === 0n ? MAX_U64 : ts - 1n;
    ts += this.lastIn;
    if (ts > MAX_U64) ts = MAX_U64; // saturate, as the C++ does on wrap-around
    this.lastIn = ts;
    const len = r.varint();
    if (len > ID_SIZE) throw badFrame('bound', `bound id prefix of ${len} bytes`);
    const b = new Bound(Number(ts >> 32n), Number(ts & 0xffffffffn), len);
    b.id.set(r.bytes(len));
    return b;
  }

  encode(w: ByteWriter, b: Bound): void {
    if (b.hi === U32 && b.lo === U32) {
      this.lastOut = MAX_U64;
      w.varint(0);
    } else {
      const ts = (BigInt(b.hi) << 32n) | BigInt(b.lo);
      const delta = BigInt.asUintN(64, ts - this.lastOut);
      this.lastOut = ts;
      w.varintBig(BigInt.asUintN(64, delta + 1n));
    }
    w.varint(b.idLen);
    w.bytes(b.id, 0, b.idLen);
  }
}
