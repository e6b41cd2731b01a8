// The Transport interface (DESIGN §7): authenticated connections between nodes, each carrying framed duplex
// streams. Implementations: IrohTransport (QUIC) and ChannelTransport (in memory); both pass
// test/conformance/transport.ts. Frames are opaque bytes here (≤ MAX_FRAME); wire.ts gives them meaning.
import type { NodeId } from '../model/index.js';

/**
 * A framed bidirectional stream. The opener must send first: the other side's acceptStream() sees the stream
 * when its first frame arrives (QUIC announces a stream with its first bytes; ChannelTransport does the same).
 */
export interface FrameStream {
  /** Unique within its connection and side. */
  readonly id: string;
  /** The authenticated node at the other end. */
  readonly remoteNodeId: NodeId;
  /**
   * Sends one frame (≤ MAX_FRAME bytes, else E_FRAME_TOO_LARGE and nothing is sent). Resolves when the transport
   * took it (flow control applies); E_CLOSED after close(), E_STREAM_RESET if the peer reset the stream.
   */
  send(frame: Uint8Array, signal?: AbortSignal): Promise<void>;
  /**
   * The next frame, or null when the peer closed its side cleanly. Rejects with E_FRAME_TOO_LARGE when the peer
   * declares an oversized frame (the stream is then reset and the peer's score charged), E_STREAM_RESET if the
   * peer reset it, E_CLOSED if the connection closed, E_ABORTED on `signal` (no frame is lost by an abort).
   */
  receive(signal?: AbortSignal): Promise<Uint8Array | null>;
  /** Frames until the peer closes its side (same errors as receive()). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
  /**
   * Graceful half-close: our sending side ends after the frames already sent (the peer's receive() then returns
   * null); we can still receive until the peer ends its side. Idempotent.
   */
  close(): Promise<void>;
  /** Abrupt close of both directions: the peer's receive() and send() reject with E_STREAM_RESET. Idempotent. */
  reset(code?: StreamResetCode): void;
}

/** Why a stream was reset; travels as the QUIC reset code. */
export const STREAM_RESET = { cancelled: 0, badFrame: 1, frameTooLarge: 2, unauthorized: 3, rateLimited: 4, closing: 5 } as const;
export type StreamResetCode = (typeof STREAM_RESET)[keyof typeof STREAM_RESET];

export interface CloseInfo {
  /** True when the other side (or the network) closed it, false when we did. */
  remote: boolean;
  reason: string;
}

export interface Connection {
  /** The authenticated node at the other end (the QUIC peer's key for Iroh). */
  readonly remoteNodeId: NodeId;
  /** 'outbound' if we connected, 'inbound' if the peer did. */
  readonly direction: 'inbound' | 'outbound';
  /** Opens a new stream; send a frame on it before expecting anything back. E_CLOSED once closed. */
  openStream(signal?: AbortSignal): Promise<FrameStream>;
  /** The next stream the peer opened; E_CLOSED once the connection closes, E_ABORTED on `signal`. */
  acceptStream(signal?: AbortSignal): Promise<FrameStream>;
  /** Resolves (never rejects) when the connection is closed, by either side. */
  readonly closed: Promise<CloseInfo>;
  readonly isClosed: boolean;
  /** Closes the connection and every stream on it; the peer sees `closed` resolve. Idempotent. */
  close(reason?: string): Promise<void>;
}

export interface Transport {
  /** This node's id (the public key of its node key). */
  readonly nodeId: NodeId;
  /** Where peers can reach us: 'ip:port' strings for Iroh, a channel name for ChannelTransport. */
  addrs(): string[];
  /**
   * Connects to `nodeId` at `addrs` (an implementation may know other ways to find it). Rejects with
   * E_PEER_UNREACHABLE within the transport's connect timeout, E_BANNED for a banned peer, E_ABORTED on
   * `signal`, E_CLOSED after close().
   */
  connect(nodeId: NodeId, addrs?: readonly string[], signal?: AbortSignal): Promise<Connection>;
  /**
   * Incoming connections, already authenticated (banned peers are refused before they appear). One consumer;
   * the iteration ends when the transport closes.
   */
  incoming(signal?: AbortSignal): AsyncIterable<Connection>;
  /** Connections currently open, both directions. */
  connections(): Connection[];
  /** Closes every connection and releases sockets and timers. Idempotent. */
  close(): Promise<void>;
}
