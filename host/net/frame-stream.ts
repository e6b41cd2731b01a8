// The FrameStream both transports hand out, over a small byte-level StreamIo: frames are written whole, read
// through the FrameDecoder (pull-based, so QUIC flow control is the back-pressure), and an oversized frame resets
// the stream and is charged to the peer. An aborted receive keeps its pending read, so no bytes are lost.
import { LatticeError, type NodeId } from '../model/index.js';
import { abortError, raceAbort } from './async-queue.js';
import { encodeFrame, FrameDecoder } from './frame.js';
import { STREAM_RESET, type FrameStream, type StreamResetCode } from './transport.js';
import type { Offense } from './peer-score.js';

export interface StreamIo {
  /** Writes bytes (whole frames). Rejects with a LatticeError (E_STREAM_RESET, E_CLOSED). */
  write(bytes: Uint8Array): Promise<void>;
  /** The next chunk of bytes, null at a clean end. Rejects with a LatticeError. */
  read(): Promise<Uint8Array | null>;
  /** Ends our sending side after what was written. */
  finish(): Promise<void>;
  /** Abruptly ends both directions; the peer's reads fail with E_STREAM_RESET. */
  reset(code: number): void;
}

export interface StreamHooks {
  /** The peer misbehaved on this stream (the stream is already being reset). */
  offense(peer: NodeId, offense: Offense, err: LatticeError): void;
  /** The stream is finished on our side (closed or reset); the connection forgets it. */
  released(stream: FramedStream): void;
}

export class FramedStream implements FrameStream {
  private readonly decoder = new FrameDecoder();
  private pendingRead: Promise<Uint8Array | null> | undefined;
  private readChain: Promise<unknown> = Promise.resolve();
  private writeChain: Promise<void> = Promise.resolve();
  private eof = false;
  private closed = false;
  private released = false;
  private failure: LatticeError | undefined;

  constructor(
    readonly id: string,
    readonly remoteNodeId: NodeId,
    private readonly io: StreamIo,
    private readonly hooks: StreamHooks,
  ) {}

  send(frame: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.closed) return Promise.reject(new LatticeError('E_CLOSED', 'the stream is closed'));
    if (this.failure) return Promise.reject(this.failure);
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(frame);
    } catch (e) {
      return Promise.reject(e);
    }
    // Frames go out whole and in order; an abort stops the wait, not a frame already queued.
    const write = this.writeChain.then(() => this.io.write(bytes));
    this.writeChain = write.catch(() => undefined);
    return raceAbort(write, signal).catch((e: unknown) => {
      if (e instanceof LatticeError && e.code === 'E_STREAM_RESET') this.failure ??= e;
      throw e;
    });
  }

  receive(signal?: AbortSignal): Promise<Uint8Array | null> {
    const next = this.readChain.then(() => this.receiveOne(signal));
    this.readChain = next.catch(() => undefined);
    return next;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const f = await this.receive();
      if (f === null) return;
      yield f;
    }
  }

  /** Fault-injection hook for tests: writes `bytes` as they are, bypassing the framing and its limit. */
  writeRaw(bytes: Uint8Array): Promise<void> {
    const write = this.writeChain.then(() => this.io.write(bytes));
    this.writeChain = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.maybeRelease();
    if (this.failure) return;
    try {
      await this.writeChain;
      await this.io.finish();
    } catch {
      // The peer reset or the connection went: there is nothing left to close gracefully.
    }
  }

  reset(code: StreamResetCode = STREAM_RESET.cancelled): void {
    if (this.released) return;
    this.failure ??= new LatticeError('E_CLOSED', 'the stream was reset locally', { code });
    this.closed = true;
    this.release();
    this.io.reset(code);
  }

  /** The connection went away: fail everything pending with `err`. */
  fail(err: LatticeError): void {
    this.failure ??= err;
    this.closed = true;
    this.release();
  }

  /** Both directions are done (we closed, the peer ended or failed): the connection can forget the stream. */
  private maybeRelease(): void {
    if (this.closed && (this.eof || this.failure)) this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.hooks.released(this);
  }

  private async receiveOne(signal?: AbortSignal): Promise<Uint8Array | null> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      let frame: Uint8Array | undefined;
      try {
        frame = this.decoder.next();
      } catch (e) {
        const err = e as LatticeError;
        this.failure ??= err;
        this.hooks.offense(this.remoteNodeId, 'frame-too-large', err);
        this.reset(STREAM_RESET.frameTooLarge);
        throw err;
      }
      if (frame) return frame;
      if (this.failure) throw this.failure;
      if (this.eof) {
        if (this.eof && this.decoder.pending > 0) {
          const err = new LatticeError('E_BAD_FRAME', 'the stream ended inside a frame', { pending: this.decoder.pending });
          this.failure = err;
          this.hooks.offense(this.remoteNodeId, 'bad-frame', err);
          throw err;
        }
        return null;
      }
      this.pendingRead ??= this.io.read();
      let chunk: Uint8Array | null;
      try {
        chunk = await raceAbort(this.pendingRead, signal);
      } catch (e) {
        if (signal?.aborted && e instanceof LatticeError && e.code === 'E_ABORTED') throw e; // the read stays pending
        this.pendingRead = undefined;
        const err = e instanceof LatticeError ? e : new LatticeError('E_STREAM_RESET', String(e), {}, { cause: e });
        this.failure ??= err;
        this.maybeRelease();
        throw this.failure;
      }
      this.pendingRead = undefined;
      if (chunk === null) {
        this.eof = true;
        this.maybeRelease();
      }
      else this.decoder.push(chunk);
    }
  }
}
