// IrohTransport: the Transport over QUIC with @number0/iroh (DESIGN §7). The node key is the endpoint key, so the
// id a peer authenticates is its node id; ALPN `lattice/1`; relays and discovery off unless a relay URL is given,
// so peers connect by node id and direct 'ip:port' addresses. Native calls cannot be cancelled: waits race them
// against AbortSignals and timeouts, and a connection that arrives after its connect gave up is closed.
import { bytesEqual, LatticeError, toHex, type NodeId } from '../model/index.js';
import { abortError, AsyncQueue, raceAbort } from './async-queue.js';
import { ALPN, fromArray, loadIroh, toArray, type IrohModule } from './iroh-binding.js';
import { errorText, IrohConnection, type IrohConnectionOwner } from './iroh-connection.js';
import { logger } from './log.js';
import { PeerScores } from './peer-score.js';
import { STREAM_RESET, type Connection, type Transport } from './transport.js';
import type * as Iroh from '@number0/iroh/index.js';

export interface IrohTransportComponents {
  /** The node key: its seed becomes the endpoint's secret key. */
  key: { readonly seed: Uint8Array; readonly publicKey: NodeId };
  /** Shared with the node; the transport creates its own when absent. */
  scores?: PeerScores;
}

export interface IrohTransportInit {
  /** Socket address to bind ('ip:port'); default '0.0.0.0:0'. */
  bindAddr?: string;
  /** A relay server URL; relays are off without one. */
  relayUrl?: string;
  /** How long connect() tries before E_PEER_UNREACHABLE (the binding itself gives up only after ~30 s). */
  connectTimeoutMs?: number;
}

const log = logger('lattice:net:iroh');
const alpnBytes = toArray(new TextEncoder().encode(ALPN));

export class IrohTransport implements Transport, IrohConnectionOwner {
  readonly nodeId: NodeId;
  readonly scores: PeerScores;
  private readonly incomingQueue = new AsyncQueue<Connection>();
  private readonly conns = new Set<IrohConnection>();
  private readonly closing = new AbortController();
  private readonly offBan: () => void;
  private closedFlag = false;
  private closePromise: Promise<void> | undefined;

  constructor(
    private readonly iroh: IrohModule,
    private readonly endpoint: Iroh.Endpoint,
    components: IrohTransportComponents,
    private readonly init: IrohTransportInit,
  ) {
    this.nodeId = components.key.publicKey;
    this.scores = components.scores ?? new PeerScores();
    this.offBan = this.scores.onBan((peer) => {
      for (const c of [...this.conns]) if (bytesEqual(c.remoteNodeId, peer)) void c.close('peer banned');
    });
    void this.acceptLoop();
  }

  addrs(): string[] {
    const out = new Set(this.endpoint.addr().directAddresses());
    for (const s of this.endpoint.boundSockets()) {
      const m = /^(0\.0\.0\.0|127\.0\.0\.1):(\d+)$/.exec(s);
      if (m) out.add(`127.0.0.1:${m[2]}`);
    }
    return [...out];
  }

  connections(): Connection[] {
    return [...this.conns];
  }

  incoming(signal?: AbortSignal): AsyncIterable<Connection> {
    return this.incomingQueue.iterate(signal);
  }

  async connect(nodeId: NodeId, addrs: readonly string[] = [], signal?: AbortSignal): Promise<Connection> {
    if (signal?.aborted) throw abortError(signal);
    if (this.closedFlag) throw new LatticeError('E_CLOSED', 'the transport is closed');
    const who = toHex(nodeId).slice(0, 12);
    if (this.scores.isBanned(nodeId)) throw new LatticeError('E_BANNED', `peer ${who} is banned`);
    const { EndpointAddr, EndpointId } = this.iroh;
    const direct = addrs.filter((a) => /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/.test(a));
    let endpointId: Iroh.EndpointId;
    try {
      endpointId = EndpointId.fromBytes(toArray(nodeId));
    } catch (e) {
      throw new LatticeError('E_BAD_ARGUMENT', `${toHex(nodeId)} is not a valid node id (not an Ed25519 public key)`, { nodeId: toHex(nodeId) }, { cause: e });
    }
    const target = new EndpointAddr(endpointId, this.init.relayUrl ?? null, direct);
    const pending = this.endpoint.connect(target, alpnBytes);
    const timeoutMs = this.init.connectTimeoutMs ?? 10_000;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const limit = AbortSignal.any([this.closing.signal, timeout.signal, ...(signal ? [signal] : [])]);
    let native: Iroh.Connection;
    try {
      native = await raceAbort(pending, limit);
    } catch (e) {
      // If the handshake completes after we gave up, close what it made.
      pending.then((c) => c.close(0n, []), () => undefined);
      if (signal?.aborted) throw abortError(signal);
      if (this.closedFlag) throw new LatticeError('E_CLOSED', 'the transport is closed');
      const timedOut = e instanceof LatticeError && e.code === 'E_ABORTED';
      throw new LatticeError('E_PEER_UNREACHABLE', timedOut ? `no connection to ${who} within ${timeoutMs} ms` : `no connection to ${who}: ${errorText(e)}`, { nodeId: toHex(nodeId), addrs: direct }, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    if (this.closedFlag) {
      native.close(0n, []);
      throw new LatticeError('E_CLOSED', 'the transport is closed');
    }
    const conn = new IrohConnection(this, native, 'outbound');
    if (!bytesEqual(conn.remoteNodeId, nodeId)) {
      await conn.close('wrong peer');
      throw new LatticeError('E_PEER_UNREACHABLE', `the peer at those addresses is not ${who}`);
    }
    this.conns.add(conn);
    log('connected to', who);
    return conn;
  }

  forget(conn: IrohConnection): void {
    this.conns.delete(conn);
  }

  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  private async shutdown(): Promise<void> {
    this.closedFlag = true;
    this.closing.abort();
    this.offBan();
    this.incomingQueue.drain((c) => void c.close('transport closed'));
    this.incomingQueue.end();
    await Promise.all([...this.conns].map((c) => c.close('transport closed')));
    await this.endpoint.close();
  }

  private async acceptLoop(): Promise<void> {
    for (;;) {
      let incoming: Iroh.Incoming | null;
      try {
        incoming = await this.endpoint.acceptNext();
      } catch (e) {
        if (!this.closedFlag) log.error('accept failed', errorText(e));
        return;
      }
      if (!incoming || this.closedFlag) return;
      void this.handshake(incoming);
    }
  }

  private async handshake(incoming: Iroh.Incoming): Promise<void> {
    let native: Iroh.Connection;
    try {
      native = await (await incoming.accept()).connect();
    } catch (e) {
      log('incoming handshake failed', errorText(e));
      return;
    }
    const peer = fromArray(native.remoteId().toBytes()) as NodeId;
    // QUIC learns the peer's id in the handshake, so a banned peer is refused by closing at once.
    if (this.closedFlag || this.scores.isBanned(peer)) {
      native.close(BigInt(STREAM_RESET.unauthorized), toArray(new TextEncoder().encode(this.closedFlag ? 'transport closed' : 'banned')));
      return;
    }
    const conn = new IrohConnection(this, native, 'inbound');
    this.conns.add(conn);
    this.incomingQueue.push(conn);
  }
}

/** Binds an Iroh endpoint with the node key and returns the transport. */
export async function createIrohTransport(components: IrohTransportComponents, init: IrohTransportInit = {}): Promise<IrohTransport> {
  const iroh = loadIroh();
  const builder = iroh.Endpoint.builder();
  builder.applyMinimal(); // crypto only: no discovery, no default relays
  builder.secretKey(toArray(components.key.seed));
  builder.alpns([alpnBytes]);
  builder.relayMode(init.relayUrl ? iroh.RelayMode.customFromUrls([init.relayUrl]) : iroh.RelayMode.disabled());
  builder.bindAddr(init.bindAddr ?? '0.0.0.0:0');
  let endpoint: Iroh.Endpoint;
  try {
    endpoint = await builder.bind();
  } catch (e) {
    throw new LatticeError('E_HOST_FAULT', `could not bind the Iroh endpoint: ${errorText(e)}`, { bindAddr: init.bindAddr ?? '0.0.0.0:0' }, { cause: e });
  }
  const ours = fromArray(endpoint.id().toBytes());
  if (!bytesEqual(ours, components.key.publicKey)) {
    await endpoint.close();
    throw new LatticeError('E_HOST_FAULT', 'the Iroh endpoint id differs from the node key');
  }
  return new IrohTransport(iroh, endpoint, components, init);
}
