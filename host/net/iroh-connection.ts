// One Iroh QUIC connection as a Connection: bidirectional QUIC streams become FrameStreams, streams the peer
// opens are accepted in the background (one rate-limit token each), and the native `closed()` drives our
// `closed`. Errors of native stream calls map to E_CLOSED (the connection is gone) or E_STREAM_RESET.
import { LatticeError, toHex, type NodeId } from '../model/index.js';
import { abortError, AsyncQueue, raceAbort } from './async-queue.js';
import { FramedStream, type StreamHooks, type StreamIo } from './frame-stream.js';
import { bindingErrorText, fromArray, toArray } from './iroh-binding.js';
import { logger } from './log.js';
import type { PeerScores } from './peer-score.js';
import { STREAM_RESET, type CloseInfo, type Connection, type FrameStream } from './transport.js';
import type * as Iroh from '@number0/iroh/index.js';

/** What a connection needs from its transport. */
export interface IrohConnectionOwner {
  readonly scores: PeerScores;
  forget(conn: IrohConnection): void;
}

// 256 KiB reads: measured 3.2 MiB/s against 2.5 at 64 KiB; 1 MiB gains a little more but boxes 8 MB arrays per read.
const READ_CHUNK = 256 * 1024;
const log = logger('lattice:net:iroh');
/** A binding error's text without its Rust backtrace and source paths. */
export const errorText = bindingErrorText;

class IrohStreamIo implements StreamIo {
  constructor(
    private readonly conn: IrohConnection,
    private readonly bi: Iroh.BiStream,
  ) {}

  write(bytes: Uint8Array): Promise<void> {
    return this.bi.send.writeAll(toArray(bytes)).catch((e: unknown) => Promise.reject(this.conn.streamError(e)));
  }

  read(): Promise<Uint8Array | null> {
    return this.bi.recv.read(READ_CHUNK).then(
      (a) => (a.length === 0 ? null : fromArray(a)),
      (e: unknown) => Promise.reject(this.conn.streamError(e)),
    );
  }

  finish(): Promise<void> {
    return this.bi.send.finish().catch((e: unknown) => Promise.reject(this.conn.streamError(e)));
  }

  reset(code: number): void {
    this.bi.send.reset(BigInt(code)).catch(() => undefined);
    this.bi.recv.stop(BigInt(code)).catch(() => undefined);
  }
}

export class IrohConnection implements Connection {
  readonly remoteNodeId: NodeId;
  readonly closed: Promise<CloseInfo>;
  private resolveClosed!: (info: CloseInfo) => void;
  private closedFlag = false;
  private closedLocally = false;
  private readonly accepted = new AsyncQueue<FrameStream>();
  private readonly streams = new Set<FramedStream>();
  private readonly hooks: StreamHooks;
  private nextId = 0;

  constructor(
    private readonly transport: IrohConnectionOwner,
    private readonly native: Iroh.Connection,
    readonly direction: 'inbound' | 'outbound',
  ) {
    this.remoteNodeId = fromArray(native.remoteId().toBytes()) as NodeId;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.hooks = {
      offense: (peer, offense, err) => transport.scores.penalize(peer, offense, err.message),
      released: (s) => this.streams.delete(s),
    };
    native.closed().then(
      (reason) => this.terminate(bindingErrorText(reason), !this.closedLocally),
      (e: unknown) => this.terminate(errorText(e), !this.closedLocally),
    );
    void this.acceptLoop();
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** The typed error for a failed stream call: E_CLOSED once the connection is gone, else E_STREAM_RESET. */
  streamError(e: unknown): LatticeError {
    if (e instanceof LatticeError) return e;
    const text = errorText(e);
    const head = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    if (this.closedFlag || this.native.closeReason() !== null || /ConnectionLost|LocallyClosed|ApplicationClosed|TimedOut/.test(head)) {
      return new LatticeError('E_CLOSED', `the connection is closed: ${this.native.closeReason() ?? text}`, {}, { cause: e });
    }
    return new LatticeError('E_STREAM_RESET', `the peer reset the stream: ${text}`, {}, { cause: e });
  }

  async openStream(signal?: AbortSignal): Promise<FrameStream> {
    if (signal?.aborted) throw abortError(signal);
    if (this.closedFlag) throw new LatticeError('E_CLOSED', 'the connection is closed');
    const bi = await raceAbort(this.native.openBi(), signal).catch((e: unknown) => Promise.reject(e instanceof LatticeError ? e : this.streamError(e)));
    return this.track(bi, `l${this.nextId++}`);
  }

  acceptStream(signal?: AbortSignal): Promise<FrameStream> {
    return this.accepted.shift(signal).then((s) => {
      if (!s) throw new LatticeError('E_CLOSED', 'the connection is closed');
      return s;
    });
  }

  async close(reason = 'closed'): Promise<void> {
    if (this.closedFlag) return;
    this.closedLocally = true;
    try {
      this.native.close(0n, toArray(new TextEncoder().encode(reason.slice(0, 200))));
    } catch (e) {
      log('close failed', errorText(e));
    }
    this.terminate(reason, false);
  }

  private track(bi: Iroh.BiStream, id: string): FramedStream {
    const s = new FramedStream(id, this.remoteNodeId, new IrohStreamIo(this, bi), this.hooks);
    this.streams.add(s);
    return s;
  }

  private async acceptLoop(): Promise<void> {
    for (;;) {
      let bi: Iroh.BiStream;
      try {
        bi = await this.native.acceptBi();
      } catch {
        return; // the connection closed; `closed` reports why
      }
      if (this.closedFlag) return;
      if (!this.transport.scores.allowRequest(this.remoteNodeId)) {
        bi.send.reset(BigInt(STREAM_RESET.rateLimited)).catch(() => undefined);
        bi.recv.stop(BigInt(STREAM_RESET.rateLimited)).catch(() => undefined);
        continue;
      }
      this.accepted.push(this.track(bi, `r${this.nextId++}`));
    }
  }

  private terminate(reason: string, remote: boolean): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    const err = new LatticeError('E_CLOSED', `the connection is closed: ${reason}`, { reason, remote });
    this.accepted.drain((s) => (s as FramedStream).fail(err));
    this.accepted.fail(err);
    for (const s of [...this.streams]) s.fail(err);
    this.transport.forget(this);
    log('connection closed', toHex(this.remoteNodeId).slice(0, 12), remote ? 'by peer:' : 'locally:', reason);
    this.resolveClosed({ remote, reason });
  }
}
