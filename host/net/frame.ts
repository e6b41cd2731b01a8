// Length-prefixed frames (DESIGN §7): u32 big-endian payload length ‖ payload, payload ≤ MAX_FRAME. The decoder
// checks the declared length before buffering, so a hostile prefix can never make us allocate past the limit.
import { LatticeError, MAX_FRAME } from '../model/index.js';

export const FRAME_HEADER = 4;

export function frameTooLarge(size: number, limit: number): LatticeError {
  return new LatticeError('E_FRAME_TOO_LARGE', `a frame of ${size} bytes exceeds the limit of ${limit}`, { size, limit });
}

/** The frame's bytes on the wire: length prefix and payload, in one buffer. */
export function encodeFrame(payload: Uint8Array, limit = MAX_FRAME): Uint8Array {
  if (payload.length > limit) throw frameTooLarge(payload.length, limit);
  const out = new Uint8Array(FRAME_HEADER + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, false);
  out.set(payload, FRAME_HEADER);
  return out;
}

/** Incremental decoder: push chunks as they arrive, take whole frames out. Throws E_FRAME_TOO_LARGE. */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private failed: LatticeError | undefined;

  constructor(private readonly limit = MAX_FRAME) {}

  /** Bytes received but not yet returned as frames. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame, or undefined if more bytes are needed. */
  next(): Uint8Array | undefined {
    if (this.failed) throw this.failed;
    if (this.buffered < FRAME_HEADER) return undefined;
    const header = this.peek(FRAME_HEADER);
    const size = new DataView(header.buffer, header.byteOffset, FRAME_HEADER).getUint32(0, false);
    if (size > this.limit) throw (this.failed = frameTooLarge(size, this.limit));
    if (this.buffered < FRAME_HEADER + size) return undefined;
    this.take(FRAME_HEADER);
    return this.take(size);
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return this.gather(n, false);
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (n === 0) return new Uint8Array(0);
    if (first && first.length === n) {
      this.chunks.shift();
      this.buffered -= n;
      return first;
    }
    if (first && first.length > n) {
      this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.slice(0, n);
    }
    return this.gather(n, true);
  }

  private gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let o = 0;
    let i = 0;
    while (o < n) {
      const c = this.chunks[i]!;
      const k = Math.min(c.length, n - o);
      out.set(c.subarray(0, k), o);
      o += k;
      if (consume) {
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      } else i++;
    }
    if (consume) this.buffered -= n;
    return out;
  }
}
