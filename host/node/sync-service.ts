// The node's replication service (DESIGN §7) over any Transport: push of new intentions, FetchChain gap recovery,
// symmetric Negentropy sessions (the initiator pushes its haves and fetches its needs, so one session leaves both
// sides with the union), bootstrap clone in witness order, and module fetch by CID. Every incoming stream is
// authorized by its first frame (DESIGN §6) through the host; a bad frame resets that stream and charges the peer.
import { setMaxListeners } from 'node:events';
import { LatticeError, asLatticeError, toHex, type Cid, type Hash, type NodeId, type StoreId } from '../model/index.js';
import type { Connection, FrameStream, Transport } from '../net/transport.js';
import { decodeMessage, encodeMessage, expectMessage, packCloneBatch, unpackCloneBatch, FRAME_BUDGET, MAX_LIST, MODULE_CHUNK, type Join, type JoinReply, type RequestHeader, type WireMessage } from '../net/wire.js';
import { STREAM_RESET } from '../net/transport.js';
import { Negentropy, type NegentropyTree } from '../sync/index.js';
import { logger } from './logger.js';

const log = logger('lattice:node:sync');

/** A store as replication sees it. */
export interface SyncStore {
  readonly storeId: StoreId;
  readonly meshId: StoreId;
  /** The reconciliation index of witnessed intentions (and held evidence), sealed, kept up to date. */
  negentropyTree(): NegentropyTree;
  getSigned(hash: Hash): Uint8Array | undefined;
  /** Ingests SignedIntentions; returns the hashes they depend on that this node has neither witnessed nor floating. */
  ingest(signed: Uint8Array[]): Promise<{ missing: Hash[] }>;
  /** SignedIntentions in witness order from `fromSeq` (1-based), at most `max` of them. */
  witnessedFrom(fromSeq: number, max: number): Uint8Array[];
}

/** What the service needs from the node. */
export interface SyncHost {
  /** Throws E_UNAUTHORIZED / E_NOT_A_MEMBER / E_UNKNOWN_STORE when `remote` may not make this request. */
  authorize(remote: NodeId, header: RequestHeader): void;
  store(storeId: StoreId): SyncStore | undefined;
  join(remote: NodeId, join: Join): Promise<JoinReply>;
  moduleBytes(cid: Cid): Uint8Array | undefined;
}

export interface SyncMetrics {
  pushed: number;
  received: number;
  sent: number;
  gapRecoveries: number;
  sessions: number;
  messages: number;
  bytes: number;
  badFrames: number;
}

const NEG_FRAME_LIMIT = 200 * 1024;
const CHAIN_LIMIT = 256;
const CLONE_BATCH = 2048;

/** Chunks a list of byte strings so each message stays inside the frame budget. */
function* chunks(items: Uint8Array[], budget = FRAME_BUDGET): Generator<Uint8Array[]> {
  let batch: Uint8Array[] = [];
  let size = 0;
  for (const it of items) {
    if (batch.length > 0 && (size + it.length + 8 > budget || batch.length >= MAX_LIST)) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(it);
    size += it.length + 8;
  }
  if (batch.length > 0) yield batch;
}

export class SyncService {
  readonly metrics: SyncMetrics = { pushed: 0, received: 0, sent: 0, gapRecoveries: 0, sessions: 0, messages: 0, bytes: 0, badFrames: 0 };
  private closed = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly transport: Transport,
    private readonly host: SyncHost,
  ) {
    // Every concurrent stream waits on this one signal; their listeners come and go, there is no leak to report.
    setMaxListeners(0, this.abort.signal);
  }

  /** Accepts connections and serves their streams until close(). */
  start(): void {
    void (async () => {
      try {
        for await (const conn of this.transport.incoming(this.abort.signal)) this.serveConnection(conn);
      } catch (e) {
        if (!this.closed) log.error('incoming loop ended: %s', asLatticeError(e).message);
      }
    })();
  }

  /** Serves streams the peer opens on `conn` (for outbound connections too: both sides may open streams). */
  serveConnection(conn: Connection): void {
    void (async () => {
      while (!this.closed && !conn.isClosed) {
        let stream: FrameStream;
        try {
          stream = await conn.acceptStream(this.abort.signal);
        } catch {
          return;
        }
        void this.serveStream(stream);
      }
    })();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
  }

  private async send(stream: FrameStream, msg: WireMessage): Promise<void> {
    const frame = encodeMessage(msg);
    this.metrics.messages++;
    this.metrics.bytes += frame.length;
    await stream.send(frame, this.abort.signal);
  }

  private async receive(stream: FrameStream): Promise<WireMessage | null> {
    const frame = await stream.receive(this.abort.signal);
    if (frame === null) return null;
    this.metrics.messages++;
    this.metrics.bytes += frame.length;
    return decodeMessage(frame);
  }

  private async expect<T extends WireMessage['t']>(stream: FrameStream, t: T): Promise<Extract<WireMessage, { t: T }>> {
    const frame = await stream.receive(this.abort.signal);
    if (frame === null) throw new LatticeError('E_BAD_FRAME', `stream ended while waiting for ${t}`);
    this.metrics.messages++;
    this.metrics.bytes += frame.length;
    return expectMessage(frame, t);
  }

  private async serveStream(stream: FrameStream): Promise<void> {
    const remote = stream.remoteNodeId;
    try {
      const header = await this.expect(stream, 'req');
      this.host.authorize(remote, header);
      switch (header.kind) {
        case 'push': return await this.servePush(stream, remote, header);
        case 'fetch-chain': return await this.serveFetchChain(stream, header);
        case 'sync': return await this.serveSync(stream, header);
        case 'clone': return await this.serveClone(stream, header);
        case 'module': return await this.serveModule(stream);
        case 'join': {
          const join = await this.expect(stream, 'join');
          await this.send(stream, await this.host.join(remote, join));
          return await stream.close();
        }
        case 'get':
          return await this.serveSync(stream, header);
        case 'ping': {
          const ping = await this.expect(stream, 'ping');
          await this.send(stream, { t: 'pong', nonce: ping.nonce });
          return await stream.close();
        }
      }
    } catch (e) {
      const err = asLatticeError(e);
      if (err.code === 'E_BAD_FRAME' || err.code === 'E_FRAME_TOO_LARGE') this.metrics.badFrames++;
      log.trace('stream from %s failed: %s %s', toHex(remote).slice(0, 12), err.code, err.message);
      try {
        await this.send(stream, { t: 'err', code: err.code, message: err.message.slice(0, 1000) });
        await stream.close();
      } catch {
        stream.reset(err.code === 'E_UNAUTHORIZED' ? STREAM_RESET.unauthorized : STREAM_RESET.badFrame);
      }
    }
  }

  private requireStore(header: RequestHeader): SyncStore {
    const store = header.storeId && this.host.store(header.storeId);
    if (!store) throw new LatticeError('E_UNKNOWN_STORE', 'no such store here');
    return store;
  }

  // --- push and gap recovery ---------------------------------------------------------------------------------

  /** Sends new SignedIntentions of a store to one peer. */
  async push(conn: Connection, store: SyncStore, signed: Uint8Array[]): Promise<void> {
    const stream = await conn.openStream(this.abort.signal);
    try {
      await this.send(stream, { t: 'req', kind: 'push', meshId: store.meshId, storeId: store.storeId });
      for (const batch of chunks(signed)) {
        await this.send(stream, { t: 'push', storeId: store.storeId, intentions: batch });
        this.metrics.pushed += batch.length;
      }
    } finally {
      await stream.close();
    }
  }

  private async servePush(stream: FrameStream, remote: NodeId, header: RequestHeader): Promise<void> {
    const store = this.requireStore(header);
    for (let m = await this.receive(stream); m !== null; m = await this.receive(stream)) {
      if (m.t !== 'push') throw new LatticeError('E_BAD_FRAME', `expected push, got ${m.t}`);
      this.metrics.received += m.intentions.length;
      const { missing } = await store.ingest(m.intentions);
      if (missing.length > 0) {
        const conn = this.transport.connections().find((c) => !c.isClosed && toHex(c.remoteNodeId) === toHex(remote));
        if (conn) void this.fetchChain(conn, store, missing).catch((e) => log.trace('fetch-chain failed: %s', asLatticeError(e).message));
      }
    }
  }

  /** Recovers a gap: asks the peer for the missing hashes and their chains, until nothing is missing. */
  async fetchChain(conn: Connection, store: SyncStore, missing: Hash[]): Promise<number> {
    this.metrics.gapRecoveries++;
    let want = missing;
    let got = 0;
    const asked = new Set<string>();
    for (let round = 0; want.length > 0 && round < 64; round++) {
      want = want.filter((h) => !asked.has(toHex(h))).slice(0, 1024);
      if (want.length === 0) break;
      for (const h of want) asked.add(toHex(h));
      const stream = await conn.openStream(this.abort.signal);
      const next: Hash[] = [];
      try {
        await this.send(stream, { t: 'req', kind: 'fetch-chain', meshId: store.meshId, storeId: store.storeId });
        await this.send(stream, { t: 'fetch-chain', storeId: store.storeId, hashes: want, limit: CHAIN_LIMIT });
        for (;;) {
          const reply = await this.expect(stream, 'chain');
          got += reply.intentions.length;
          this.metrics.received += reply.intentions.length;
          next.push(...(await store.ingest(reply.intentions)).missing);
          if (!reply.more) break;
        }
      } finally {
        await stream.close();
      }
      want = next;
    }
    return got;
  }

  private async serveFetchChain(stream: FrameStream, header: RequestHeader): Promise<void> {
    const store = this.requireStore(header);
    const req = await this.expect(stream, 'fetch-chain');
    const out: Uint8Array[] = [];
    for (const h of req.hashes) {
      if (out.length >= Math.min(req.limit, CHAIN_LIMIT * 4)) break;
      const s = store.getSigned(h);
      if (s) out.push(s);
    }
    const batches = [...chunks(out)];
    if (batches.length === 0) batches.push([]);
    for (let i = 0; i < batches.length; i++) {
      await this.send(stream, { t: 'chain', storeId: store.storeId, intentions: batches[i]!, more: i < batches.length - 1 });
      this.metrics.sent += batches[i]!.length;
    }
    await stream.close();
  }

  // --- anti-entropy: one symmetric Negentropy session ----------------------------------------------------------

  /** Reconciles one store with the peer; afterwards both sides hold the union. */
  async syncStore(conn: Connection, store: SyncStore): Promise<{ sent: number; received: number }> {
    this.metrics.sessions++;
    const stream = await conn.openStream(this.abort.signal);
    let sent = 0;
    let received = 0;
    try {
      await this.send(stream, { t: 'req', kind: 'sync', meshId: store.meshId, storeId: store.storeId });
      const neg = new Negentropy(store.negentropyTree(), NEG_FRAME_LIMIT);
      await this.send(stream, { t: 'neg', storeId: store.storeId, msg: neg.initiate() });
      const have: Uint8Array[] = [];
      const need: Uint8Array[] = [];
      for (;;) {
        const reply = await this.expect(stream, 'neg');
        const r = neg.reconcile(reply.msg);
        have.push(...r.have);
        need.push(...r.need);
        if (r.output === null) break;
        await this.send(stream, { t: 'neg', storeId: store.storeId, msg: r.output });
      }
      for (let i = 0; i < need.length; i += MAX_LIST) {
        await this.send(stream, { t: 'get', storeId: store.storeId, hashes: need.slice(i, i + MAX_LIST) as Hash[] });
        for (;;) {
          const reply = await this.expect(stream, 'intentions');
          received += reply.intentions.length;
          await store.ingest(reply.intentions);
          if (reply.done) break;
        }
      }
      const haves = have.map((h) => store.getSigned(h as Hash)).filter((s): s is Uint8Array => s !== undefined);
      const batches = [...chunks(haves)];
      for (let i = 0; i < batches.length; i++) {
        await this.send(stream, { t: 'intentions', storeId: store.storeId, intentions: batches[i]!, done: i === batches.length - 1 });
        sent += batches[i]!.length;
      }
    } finally {
      await stream.close();
    }
    this.metrics.sent += sent;
    this.metrics.received += received;
    return { sent, received };
  }

  private async serveSync(stream: FrameStream, header: RequestHeader): Promise<void> {
    const store = this.requireStore(header);
    const neg = new Negentropy(store.negentropyTree(), NEG_FRAME_LIMIT);
    for (let m = await this.receive(stream); m !== null; m = await this.receive(stream)) {
      if (m.t === 'neg') {
        await this.send(stream, { t: 'neg', storeId: store.storeId, msg: neg.respond(m.msg) });
      } else if (m.t === 'get') {
        const found: Uint8Array[] = [];
        const missing: Hash[] = [];
        for (const h of m.hashes) {
          const s = store.getSigned(h);
          if (s) found.push(s);
          else missing.push(h);
        }
        const batches = [...chunks(found)];
        if (batches.length === 0) batches.push([]);
        for (let i = 0; i < batches.length; i++) {
          const last = i === batches.length - 1;
          await this.send(stream, { t: 'intentions', storeId: store.storeId, intentions: batches[i]!, ...(last && missing.length ? { missing } : {}), done: last });
          this.metrics.sent += batches[i]!.length;
        }
      } else if (m.t === 'intentions') {
        this.metrics.received += m.intentions.length;
        await store.ingest(m.intentions);
      } else {
        throw new LatticeError('E_BAD_FRAME', `unexpected ${m.t} in a sync session`);
      }
    }
    await stream.close();
  }

  // --- bootstrap clone -------------------------------------------------------------------------------------------

  /** Streams the peer's witness log of a store from `fromSeq` into `store`, in large batches. */
  async cloneStore(conn: Connection, store: SyncStore, fromSeq = 1, onProgress?: (n: number) => void): Promise<number> {
    const stream = await conn.openStream(this.abort.signal);
    let n = 0;
    try {
      await this.send(stream, { t: 'req', kind: 'clone', meshId: store.meshId, storeId: store.storeId });
      await this.send(stream, { t: 'clone-start', storeId: store.storeId, fromSeq });
      for (;;) {
        const batch = await this.expect(stream, 'clone');
        const signed = unpackCloneBatch(batch);
        if (signed.length > 0) await store.ingest(signed);
        n += signed.length;
        this.metrics.received += signed.length;
        onProgress?.(n);
        if (batch.done) break;
      }
    } finally {
      await stream.close();
    }
    return n;
  }

  private async serveClone(stream: FrameStream, header: RequestHeader): Promise<void> {
    const store = this.requireStore(header);
    const start = await this.expect(stream, 'clone-start');
    let seq = Math.max(1, start.fromSeq);
    for (;;) {
      const signed = store.witnessedFrom(seq, CLONE_BATCH);
      const done = signed.length < CLONE_BATCH;
      const batches = [...chunks(signed)];
      if (batches.length === 0) batches.push([]);
      for (let i = 0; i < batches.length; i++) {
        const last = done && i === batches.length - 1;
        await this.send(stream, packCloneBatch(store.storeId, seq, batches[i]!, last));
        seq += batches[i]!.length;
        this.metrics.sent += batches[i]!.length;
      }
      if (done) break;
    }
    await stream.close();
  }

  // --- modules and join ------------------------------------------------------------------------------------------

  /** Fetches a module's bytes by CID from the peer (the caller verifies them against the CID). */
  async fetchModule(conn: Connection, cid: Cid): Promise<Uint8Array> {
    const stream = await conn.openStream(this.abort.signal);
    try {
      await this.send(stream, { t: 'req', kind: 'module' });
      await this.send(stream, { t: 'module-get', cid });
      const parts: Uint8Array[] = [];
      let got = 0;
      for (;;) {
        const chunk = await this.expect(stream, 'module-chunk');
        if (chunk.offset !== got) throw new LatticeError('E_BAD_FRAME', 'module chunks out of order');
        parts.push(chunk.bytes);
        got += chunk.bytes.length;
        if (got >= chunk.total) break;
      }
      const out = new Uint8Array(got);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    } finally {
      await stream.close();
    }
  }

  private async serveModule(stream: FrameStream): Promise<void> {
    const req = await this.expect(stream, 'module-get');
    const bytes = this.host.moduleBytes(req.cid as Cid);
    if (!bytes) throw new LatticeError('E_MODULE_NOT_FOUND', 'no module with this CID here');
    for (let o = req.offset ?? 0; o < bytes.length || o === 0; o += MODULE_CHUNK) {
      await this.send(stream, { t: 'module-chunk', cid: req.cid, offset: o, bytes: bytes.subarray(o, o + MODULE_CHUNK), total: bytes.length });
      if (bytes.length === 0) break;
    }
    await stream.close();
  }

  /** Asks the inviter to admit this node (the only request a non-member may make). */
  async requestJoin(conn: Connection, join: Join): Promise<JoinReply> {
    const stream = await conn.openStream(this.abort.signal);
    try {
      await this.send(stream, { t: 'req', kind: 'join', meshId: join.meshId });
      await this.send(stream, join);
      return await this.expect(stream, 'join-ok');
    } finally {
      await stream.close();
    }
  }
}
