// The local RPC between the CLI and the daemon (DESIGN §8): msgpack messages in u32-length-prefixed frames over a
// Unix socket. A request {id, method, params} gets one {id, result} or {id, error}; a streaming method (storeWatch)
// answers with {id, item}… then {id, end} or {id, error}, until the client sends {id, cancel}. Errors keep their
// LatticeError code across the socket. This file holds the codec and the server side of one connection.
import type { Socket } from 'node:net';
import { Packr } from 'msgpackr';
import { ERROR_CODES, LatticeError, asLatticeError, type ErrorCode } from '../model/errors.js';
import type { NodeApi } from './api.js';
import type { Logger } from './logger.js';

/** Local frames carry whole modules (≤ 4 MiB) and long histories, so the limit is well above the wire's. */
export const RPC_MAX_FRAME = 64 * 1024 * 1024;

/** The NodeApi methods a client may call with one answer. `close` is not one: a client never closes the daemon. */
export const RPC_CALLS = [
  'status', 'modulePublish', 'moduleList', 'moduleShow', 'moduleReplay',
  'storeCreate', 'storeList', 'storeInfo', 'storeExec', 'storeQuery', 'storeHistory',
  'storeVerify', 'storeResume', 'storeRebuild',
  'peerInvite', 'peerJoin', 'peerList', 'peerRevoke', 'sync',
] as const satisfies readonly (keyof NodeApi)[];
export type RpcCall = (typeof RPC_CALLS)[number];

/** Methods that answer with a stream of items. */
export const RPC_STREAMS = ['storeWatch'] as const satisfies readonly (keyof NodeApi)[];
export type RpcStream = (typeof RPC_STREAMS)[number];

export interface RpcErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export type RpcRequest = { id: number; method: string; params: unknown[] };
export type RpcCancel = { id: number; cancel: true };
export type RpcResponse =
  | { id: number; result: unknown }
  | { id: number; error: RpcErrorBody }
  | { id: number; item: unknown }
  | { id: number; end: true };

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export function encodeMessage(message: RpcRequest | RpcCancel | RpcResponse): Uint8Array {
  const body = packr.pack(message);
  if (body.length > RPC_MAX_FRAME) throw frameTooLarge(body.length);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, 4);
  return frame;
}

function frameTooLarge(size: number): LatticeError {
  return new LatticeError('E_FRAME_TOO_LARGE', `an RPC frame of ${size} bytes exceeds the limit of ${RPC_MAX_FRAME}`, { size, limit: RPC_MAX_FRAME });
}

// The same u32 BE length-prefixed framing as host/net/frame.ts, kept here because that module loads the whole model
// (hashing included) and every CLI command loads this one: `lattice status` must start fast (DESIGN §8).
class FrameSplitter {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Buffer[] = [];
    while (this.buffer.length >= 4) {
      const size = this.buffer.readUInt32BE(0);
      if (size > RPC_MAX_FRAME) throw frameTooLarge(size);
      if (this.buffer.length < 4 + size) break;
      frames.push(this.buffer.subarray(4, 4 + size));
      this.buffer = this.buffer.subarray(4 + size);
    }
    return frames;
  }
}

/** msgpack gives bytes back as Node Buffers (views that may alias a larger buffer); hand out plain copies. */
export function plainBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? new Uint8Array(value) : value;
  if (Array.isArray(value)) return value.map(plainBytes);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainBytes(v);
    return out;
  }
  return value;
}

/** Splits a byte stream into decoded messages; throws E_BAD_FRAME / E_FRAME_TOO_LARGE on garbage. */
export class MessageReader {
  private readonly frames = new FrameSplitter();

  push(chunk: Buffer): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const frame of this.frames.push(chunk)) {
      let message: unknown;
      try {
        message = packr.unpack(frame);
      } catch (e) {
        throw new LatticeError('E_BAD_FRAME', `an RPC frame is not msgpack: ${(e as Error).message}`, {}, { cause: e });
      }
      if (message === null || typeof message !== 'object' || Array.isArray(message) || typeof (message as { id?: unknown }).id !== 'number') {
        throw new LatticeError('E_BAD_FRAME', 'an RPC message must be a map with a numeric id');
      }
      out.push(plainBytes(message) as Record<string, unknown>);
    }
    return out;
  }
}

export function errorToWire(e: unknown): RpcErrorBody {
  const err = asLatticeError(e);
  return { code: err.code, message: err.message, details: err.details };
}

/** The client's view of a daemon error: the same LatticeError code; an unknown code becomes E_DAEMON. */
export function errorFromWire(body: RpcErrorBody): LatticeError {
  const details = body.details ?? {};
  if (body.code in ERROR_CODES) return new LatticeError(body.code as ErrorCode, body.message, details);
  return new LatticeError('E_DAEMON', body.message, { ...details, daemonCode: body.code });
}

/** Writes a message, waiting for the socket to drain when its buffer is full (backpressure for streams). */
function send(socket: Socket, message: RpcResponse): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  if (socket.write(encodeMessage(message))) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

const isCall = (m: string): m is RpcCall => (RPC_CALLS as readonly string[]).includes(m);
const isStream = (m: string): m is RpcStream => (RPC_STREAMS as readonly string[]).includes(m);

/**
 * Serves one client connection on `node` until the socket closes. Returns a function that aborts the
 * connection's open streams (used when the daemon stops).
 */
export function serveConnection(socket: Socket, node: NodeApi, log?: Logger): () => void {
  const reader = new MessageReader();
  const streams = new Map<number, AbortController>();
  const abortAll = (): void => {
    for (const ac of streams.values()) ac.abort(new LatticeError('E_CLOSED', 'the daemon connection closed'));
    streams.clear();
  };
  let refused = false;
  socket.on('data', (chunk: Buffer) => {
    if (refused) return;
    let messages: Record<string, unknown>[];
    try {
      messages = reader.push(chunk);
    } catch (e) {
      // A client speaking garbage gets one error and is disconnected; the daemon goes on.
      refused = true;
      log?.error('bad frame from a client: %s', asLatticeError(e).message);
      void send(socket, { id: 0, error: errorToWire(e) }).then(() => socket.end());
      return;
    }
    for (const m of messages) dispatch(m);
  });
  socket.on('close', abortAll);
  socket.on('error', (e) => log?.trace('client socket error: %s', e.message));

  function dispatch(m: Record<string, unknown>): void {
    const id = m['id'] as number;
    if (m['cancel'] === true) {
      streams.get(id)?.abort(new LatticeError('E_ABORTED', 'the client cancelled the stream'));
      streams.delete(id);
      return;
    }
    const method = m['method'];
    const params = m['params'];
    if (typeof method !== 'string' || !Array.isArray(params)) {
      void send(socket, { id, error: errorToWire(new LatticeError('E_BAD_FRAME', 'an RPC request needs a method name and a params array')) });
      return;
    }
    if (isStream(method)) void runStream(id, method, params);
    else if (isCall(method)) void runCall(id, method, params);
    else void send(socket, { id, error: errorToWire(new LatticeError('E_BAD_ARGUMENT', `no such RPC method: ${method}`, { method })) });
  }

  async function runCall(id: number, method: RpcCall, params: unknown[]): Promise<void> {
    log?.trace('call %d %s', id, method);
    try {
      const fn = node[method] as (...args: unknown[]) => Promise<unknown>;
      let result = await fn.apply(node, params);
      // Whatever the node knows about how it was opened, an answer that crossed this socket came from a daemon.
      if (method === 'status' && result !== null && typeof result === 'object') result = { ...result, daemon: true };
      await send(socket, { id, result });
    } catch (e) {
      await send(socket, { id, error: errorToWire(e) });
    }
  }

  async function runStream(id: number, method: RpcStream, params: unknown[]): Promise<void> {
    const ac = new AbortController();
    streams.set(id, ac);
    try {
      const [store] = params;
      if (typeof store !== 'string') throw new LatticeError('E_BAD_ARGUMENT', `${method} needs a store`, { method });
      for await (const item of node[method](store, ac.signal)) {
        if (ac.signal.aborted) break;
        await send(socket, { id, item });
      }
      if (!ac.signal.aborted) await send(socket, { id, end: true });
    } catch (e) {
      if (!ac.signal.aborted) await send(socket, { id, error: errorToWire(e) });
    } finally {
      streams.delete(id);
    }
  }

  return abortAll;
}
