// Serving a connection's requests (DESIGN §6): every stream the peer opens is one request, authorized on its
// first frame (the `req` header) by the node's `authorize` hook, then handed to `handle`. A header that does not
// arrive in time, fails to decode, or is refused resets or answers that one stream and charges the peer; the
// connection keeps serving its other streams.
import { LatticeError, type NodeId } from '../model/index.js';
import { MessageStream } from './message-stream.js';
import type { PeerScores } from './peer-score.js';
import type { Connection } from './transport.js';
import type { RequestHeader } from './wire.js';

export interface Request {
  readonly peer: NodeId;
  readonly header: RequestHeader;
  /** The stream after the header: the handler sends the reply and closes it. */
  readonly stream: MessageStream;
  /** Aborted when the connection closes or the server stops. */
  readonly signal: AbortSignal;
}

export interface RequestServerInit {
  scores: PeerScores;
  /** Throws a LatticeError (E_UNAUTHORIZED, E_NOT_A_MEMBER, …) to refuse; it is sent to the peer as `err`. */
  authorize(peer: NodeId, header: RequestHeader): void | Promise<void>;
  handle(request: Request): Promise<void>;
  /** How long a new stream may take to deliver its header. */
  headerTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called with every request that failed, for logs and tests. */
  onError?(err: LatticeError, peer: NodeId): void;
}

/** Serves `conn` until it closes (or `init.signal` aborts); resolves then. */
export async function serveConnection(conn: Connection, init: RequestServerInit): Promise<void> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  init.signal?.addEventListener('abort', onAbort, { once: true });
  void conn.closed.then(() => stop.abort());
  const inFlight = new Set<Promise<void>>();
  try {
    for (;;) {
      let stream;
      try {
        stream = new MessageStream(await conn.acceptStream(stop.signal), init.scores);
      } catch {
        break; // closed or stopped
      }
      const p = serveOne(conn.remoteNodeId, stream, init, stop.signal).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  } finally {
    init.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    await Promise.all(inFlight);
  }
}

async function serveOne(peer: NodeId, stream: MessageStream, init: RequestServerInit, signal: AbortSignal): Promise<void> {
  const report = (e: unknown): void => {
    const err = e instanceof LatticeError ? e : new LatticeError('E_HOST_FAULT', String(e), {}, { cause: e });
    init.onError?.(err, peer);
  };
  let header: RequestHeader;
  const late = new AbortController();
  const timer = setTimeout(() => late.abort(), init.headerTimeoutMs ?? 10_000);
  try {
    header = await stream.expect('req', AbortSignal.any([signal, late.signal]));
  } catch (e) {
    if (e instanceof LatticeError && e.code === 'E_ABORTED' && !signal.aborted) {
      stream.punish('protocol', new LatticeError('E_TIMEOUT', 'no request header in time'));
      report(new LatticeError('E_TIMEOUT', 'no request header in time'));
    } else report(e);
    stream.stream.reset();
    return;
  } finally {
    clearTimeout(timer);
  }
  try {
    await init.authorize(peer, header);
  } catch (e) {
    const err = e instanceof LatticeError ? e : new LatticeError('E_UNAUTHORIZED', String(e));
    init.scores.penalize(peer, 'unauthorized', err.message);
    report(err);
    await stream.fail(err).catch(() => undefined);
    return;
  }
  try {
    await init.handle({ peer, header, stream, signal });
  } catch (e) {
    report(e);
    if (e instanceof LatticeError && (e.code === 'E_BAD_FRAME' || e.code === 'E_FRAME_TOO_LARGE')) return; // already reset
    const err = e instanceof LatticeError ? e : new LatticeError('E_HOST_FAULT', 'the request failed on the serving node');
    await stream.fail(err).catch(() => stream.stream.reset());
  }
}
