// The node's replication service (DESIGN §7) over any Transport: push of new intentions, FetchChain gap recovery,
// symmetric Negentropy sessions (the initiator pushes its haves and fetches its needs, then waits for the responder
// to finish ingesting, so one session leaves both sides with the union), bootstrap clone in witness order, and
// module fetch by CID, and after each sync session the exchange of the store's hot-fix attestations. Every incoming stream is served by request-server.ts: its header is authorized through the
// host (DESIGN §6), a bad or oversized frame resets that stream and charges the peer, and the node keeps serving.
import { setMaxListeners } from 'node:events';
import { asLatticeError, concatBytes, decodeSigned, LatticeError, toHex, type Cid, type Hash, type NodeId, type StoreId } from '../model/index.js';
import { MessageStream } from '../net/message-stream.js';
import { PeerScores } from '../net/peer-score.js';
import { serveConnection, type Request } from '../net/request-server.js';
import type { Connection, FrameStream, Transport } from '../net/transport.js';
import {
  packCloneBatch, unpackCloneBatch, FRAME_BUDGET, MAX_ATTESTATIONS, MAX_LIST, MODULE_CHUNK, type Join, type JoinReply, type RequestHeader, type Attestations, type WireAttestation, type WireMessage,
} from '../net/wire.js';
import { Negentropy, walkChain, type ChainLink, type NegentropyTree } from '../sync/index.js';
import { logger } from './logger.js';

const log = logger('lattice:node:sync');

/** What one ingest did, as replication needs it. */
export interface SyncIngest {
  /** Hashes the batch depends on that this node has neither witnessed nor floating (what to fetch). */
  missing: Hash[];
  witnessed: number;
  rejected: number;
}

/** A store as replication sees it. */
export interface SyncStore {
  readonly storeId: StoreId;
  readonly meshId: StoreId;
  /** The reconciliation index of witnessed intentions (and held evidence), sealed, kept up to date. */
  negentropyTree(): NegentropyTree;
  getSigned(hash: Hash): Uint8Array | undefined;
  /** Ingests SignedIntentions from `from` (a peer); per-item refusals are counted, never thrown. */
  ingest(signed: Uint8Array[], from: NodeId): Promise<SyncIngest>;
  /** SignedIntentions in witness order from `fromSeq` (1-based), at most `max` of them. */
  witnessedFrom(fromSeq: number, max: number): Uint8Array[];
  /** The store's hot-fix attestations this node holds (its own and its peers'); absent: none are exchanged. */
  attestations?(): WireAttestation[];
  /** Checks and stores attestations `from` sent (a mismatch raises an alarm); E_BAD_SIGNATURE, nothing stored, if one fails. */
  attest?(items: WireAttestation[], from: NodeId): Promise<void>;
}

/** What the service needs from the node. */
export interface SyncHost {
  /** Throws E_UNAUTHORIZED / E_NOT_A_MEMBER when `remote` may not make this request. */
  authorize(remote: NodeId, header: RequestHeader): void;
  /** False for a node this one refuses to talk to at all (revoked, and a member of none of its meshes). */
  admits(remote: NodeId): boolean;
  /** A connection is up (either direction) and being served. */
  connected?(conn: Connection): void;
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
  refused: number;
  /** Attestations sent and received in attestation exchanges. */
  attestationsSent: number;
  attestationsReceived: number;
}

const NEG_FRAME_LIMIT = 200 * 1024;
/** Links one FetchChain reply carries at most, and rounds one gap recovery makes at most. */
export const CHAIN_LIMIT = 1024;
const CHAIN_ROUNDS = 64;
const CLONE_BATCH = 4096;
/** Clone batches ingesting at once (one committing, the next verifying); more only hold memory. */
const CLONE_DEPTH = 2;
/** Hashes per `get`: 32 bytes each, well inside one frame. */
const GET_LIST = 4096;

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

/** Counts frames and bytes both ways for the metrics. */
class CountingStream implements FrameStream {
  constructor(
    private readonly inner: FrameStream,
    private readonly metrics: SyncMetrics,
  ) {}
  get id(): string {
    return this.inner.id;
  }
  get remoteNodeId(): NodeId {
    return this.inner.remoteNodeId;
  }
  send(frame: Uint8Array, signal?: AbortSignal): Promise<void> {
    this.metrics.messages++;
    this.metrics.bytes += frame.length;
    return this.inner.send(frame, signal);
  }
  async receive(signal?: AbortSignal): Promise<Uint8Array | null> {
    const f = await this.inner.receive(signal);
    if (f !== null) {
      this.metrics.messages++;
      this.metrics.bytes += f.length;
    }
    return f;
  }
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return { next: async () => { const f = await this.receive(); return f === null ? { done: true, value: undefined } : { done: false, value: f }; } };
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  reset(code?: Parameters<FrameStream['reset']>[0]): void {
    this.inner.reset(code);
  }
}

const linkOf = (signed: Uint8Array): ChainLink => {
  const s = decodeSigned(signed, { verify: false });
  return { hash: s.hash, storePrev: s.intention.storePrev, condition: s.intention.condition };
};

export class SyncService {
  readonly metrics: SyncMetrics = { pushed: 0, received: 0, sent: 0, gapRecoveries: 0, sessions: 0, messages: 0, bytes: 0, badFrames: 0, refused: 0, attestationsSent: 0, attestationsReceived: 0 };
  readonly scores: PeerScores;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly served = new Set<Connection>();

  constructor(
    private readonly transport: Transport,
    private readonly host: SyncHost,
  ) {
    // Every concurrent stream waits on this one signal; their listeners come and go, there is no leak to report.
    setMaxListeners(0, this.abort.signal);
    this.scores = (transport as { scores?: PeerScores }).scores ?? new PeerScores();
  }

  /** Accepts connections and serves their streams until close(). */
  start(): void {
    void (async () => {
      try {
        for await (const conn of this.transport.incoming(this.abort.signal)) {
          if (this.host.admits(conn.remoteNodeId)) this.serveConnection(conn);
          else void conn.close('revoked');
        }
      } catch (e) {
        if (!this.closed) log.error('incoming loop ended: %s', asLatticeError(e).message);
      }
    })();
  }

  /** Serves the streams the peer opens on `conn` (outbound connections too: both sides may open streams). */
  serveConnection(conn: Connection): void {
    if (this.served.has(conn) || this.closed) return;
    this.served.add(conn);
    this.host.connected?.(conn);
    void serveConnection(conn, {
      scores: this.scores,
      signal: this.abort.signal,
      authorize: (peer, header) => this.host.authorize(peer, header),
      handle: (req) => this.handle(req),
      onError: (err, peer) => {
        if (err.code === 'E_BAD_FRAME' || err.code === 'E_FRAME_TOO_LARGE' || err.code === 'E_TIMEOUT') this.metrics.badFrames++;
        if (err.code === 'E_UNAUTHORIZED' || err.code === 'E_NOT_A_MEMBER') this.metrics.refused++;
        log.trace('request from %s failed: %s %s', toHex(peer).slice(0, 12), err.code, err.message);
      },
    }).finally(() => this.served.delete(conn));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
  }

  private async open(conn: Connection, header: RequestHeader): Promise<MessageStream> {
    const stream = new MessageStream(new CountingStream(await conn.openStream(this.abort.signal), this.metrics), this.scores);
    await stream.send(header, this.abort.signal);
    return stream;
  }

  private async handle(req: Request): Promise<void> {
    const stream = new MessageStream(new CountingStream(req.stream.stream, this.metrics), this.scores);
    const { header, peer } = req;
    switch (header.kind) {
      case 'push': return this.servePush(stream, peer, header);
      case 'fetch-chain': return this.serveFetchChain(stream, header);
      case 'sync':
      case 'get': return this.serveSync(stream, peer, header);
      case 'clone': return this.serveClone(stream, header);
      case 'module': return this.serveModule(stream);
      case 'attest': return this.serveAttest(stream, peer, header);
      case 'join': {
        const join = await stream.expect('join', this.abort.signal);
        await stream.send(await this.host.join(peer, join), this.abort.signal);
        return stream.close();
      }
      case 'ping': {
        const ping = await stream.expect('ping', this.abort.signal);
        await stream.send({ t: 'pong', nonce: ping.nonce }, this.abort.signal);
        return stream.close();
      }
    }
  }

  private requireStore(header: RequestHeader): SyncStore {
    const store = header.storeId && this.host.store(header.storeId);
    if (!store) throw new LatticeError('E_UNKNOWN_STORE', 'no such store here');
    return store;
  }

  private async receiveUntilEnd(stream: MessageStream): Promise<void> {
    const m = await stream.receive(this.abort.signal);
    if (m !== null) {
      if (m.t === 'err') throw new LatticeError('E_REMOTE', `peer: ${m.message}`, { remoteCode: m.code });
      stream.punish('protocol', new LatticeError('E_BAD_FRAME', `unexpected ${m.t} at the end of a request`));
    }
  }

  // --- push and gap recovery ---------------------------------------------------------------------------------

  /** Sends new SignedIntentions of a store to one peer and waits until the peer has ingested them. */
  async push(conn: Connection, store: SyncStore, signed: Uint8Array[]): Promise<void> {
    const stream = await this.open(conn, { t: 'req', kind: 'push', meshId: store.meshId, storeId: store.storeId });
    try {
      for (const batch of chunks(signed)) {
        await stream.send({ t: 'push', storeId: store.storeId, intentions: batch }, this.abort.signal);
        this.metrics.pushed += batch.length;
      }
    } finally {
      await stream.close();
    }
    await this.receiveUntilEnd(stream);
  }

  private async servePush(stream: MessageStream, remote: NodeId, header: RequestHeader): Promise<void> {
    const store = this.requireStore(header);
    for (let m = await stream.receive(this.abort.signal); m !== null; m = await stream.receive(this.abort.signal)) {
      if (m.t !== 'push') {
        stream.punish('protocol', new LatticeError('E_BAD_FRAME', `expected push, got ${m.t}`));
        throw new LatticeError('E_BAD_FRAME', `expected push, got ${m.t}`);
      }
      this.metrics.received += m.intentions.length;
      const { missing } = await store.ingest(m.intentions, remote);
      if (missing.length > 0) {
        const conn = this.transport.connections().find((c) => !c.isClosed && toHex(c.remoteNodeId) === toHex(remote));
        if (conn) await this.fetchChain(conn, store, missing).catch((e) => log.trace('fetch-chain failed: %s', asLatticeError(e).message));
      }
    }
    await stream.close();
  }

  /** Recovers a gap: asks the peer for the missing hashes and the chains behind them, until nothing is missing. */
  async fetchChain(conn: Connection, store: SyncStore, missing: Hash[]): Promise<number> {
    this.metrics.gapRecoveries++;
    let want = missing;
    let got = 0;
    const asked = new Set<string>();
    for (let round = 0; want.length > 0 && round < CHAIN_ROUNDS; round++) {
      want = want.filter((h) => !asked.has(toHex(h)) && store.getSigned(h) === undefined).slice(0, CHAIN_LIMIT);
      if (want.length === 0) break;
      for (const h of want) asked.add(toHex(h));
      const stream = await this.open(conn, { t: 'req', kind: 'fetch-chain', meshId: store.meshId, storeId: store.storeId });
      const next: Hash[] = [];
      try {
        await stream.send({ t: 'fetch-chain', storeId: store.storeId, hashes: want, limit: CHAIN_LIMIT }, this.abort.signal);
        for (;;) {
          const reply = await stream.expect('chain', this.abort.signal);
          got += reply.intentions.length;
          this.metrics.received += reply.intentions.length;
          if (reply.intentions.length > 0) next.push(...(await store.ingest(reply.intentions, conn.remoteNodeId)).missing);
          if (!reply.more) break;
        }
      } finally {
        await stream.close();
      }
      want = next;
    }
    return got;
  }

  private async serveFetchChain(stream: MessageStream, header: RequestHeader): Promise<void> {
    const store = this.requireStore(header);
    const req = await stream.expect('fetch-chain', this.abort.signal);
    // Walk back from the asked hashes along storePrev and conditions, bounded, ancestors first.
    const walk = walkChain(req.hashes, (h) => {
      const s = store.getSigned(h);
      return s ? linkOf(s) : undefined;
    }, { limit: Math.min(req.limit, CHAIN_LIMIT) });
    const out = walk.links.map((l) => store.getSigned(l.hash)!);
    const batches = [...chunks(out)];
    if (batches.length === 0) batches.push([]);
    for (let i = 0; i < batches.length; i++) {
      await stream.send({ t: 'chain', storeId: store.storeId, intentions: batches[i]!, more: i < batches.length - 1 }, this.abort.signal);
      this.metrics.sent += batches[i]!.length;
    }
    await stream.close();
  }

  // --- anti-entropy: one symmetric Negentropy session ----------------------------------------------------------

  /** Reconciles one store with the peer; when it resolves, both sides hold the union. */
  async syncStore(conn: Connection, store: SyncStore): Promise<{ sent: number; received: number }> {
    this.metrics.sessions++;
    const stream = await this.open(conn, { t: 'req', kind: 'sync', meshId: store.meshId, storeId: store.storeId });
    let sent = 0;
    let received = 0;
    try {
      const neg = new Negentropy(store.negentropyTree(), NEG_FRAME_LIMIT);
      await stream.send({ t: 'neg', storeId: store.storeId, msg: neg.initiate() }, this.abort.signal);
      const have: Uint8Array[] = [];
      const need: Uint8Array[] = [];
      for (;;) {
        const reply = await stream.expect('neg', this.abort.signal);
        const r = neg.reconcile(reply.msg);
        have.push(...r.have);
        need.push(...r.need);
        if (r.output === null) break;
        await stream.send({ t: 'neg', storeId: store.storeId, msg: r.output }, this.abort.signal);
      }
      for (let i = 0; i < need.length; i += GET_LIST) {
        await stream.send({ t: 'get', storeId: store.storeId, hashes: need.slice(i, i + GET_LIST) as Hash[] }, this.abort.signal);
        const got: Uint8Array[] = [];
        for (;;) {
          const reply = await stream.expect('intentions', this.abort.signal);
          got.push(...reply.intentions);
          if (reply.done) break;
        }
        received += got.length;
        await store.ingest(got, conn.remoteNodeId);
      }
      const haves = have.map((h) => store.getSigned(h as Hash)).filter((s): s is Uint8Array => s !== undefined);
      const batches = [...chunks(haves)];
      for (let i = 0; i < batches.length; i++) {
        await stream.send({ t: 'intentions', storeId: store.storeId, intentions: batches[i]!, done: i === batches.length - 1 }, this.abort.signal);
        sent += batches[i]!.length;
      }
    } finally {
      await stream.close();
    }
    // The responder ends its side once it has ingested our haves: then the session is complete on both sides.
    await this.receiveUntilEnd(stream);
    this.metrics.sent += sent;
    this.metrics.received += received;
    if (store.attestations) {
      await this.exchangeAttestations(conn, store).catch((e) => log.trace('attestation exchange failed: %s', asLatticeError(e).message));
    }
    return { sent, received };
  }

  // --- hot-fix attestations (DESIGN §4.4) ------------------------------------------------------------------------

  /**
   * Sends the store's attestations to the peer and takes in the ones it answers with (those it holds that were not
   * sent), so both end with the union; a mismatch on either side raises an alarm there. A store has few: one per
   * (upgrade, witnessed set, node), and at most MAX_ATTESTATIONS go each way.
   */
  async exchangeAttestations(conn: Connection, store: SyncStore): Promise<{ sent: number; received: number }> {
    const mine = (store.attestations?.() ?? []).slice(0, MAX_ATTESTATIONS);
    const stream = await this.open(conn, { t: 'req', kind: 'attest', meshId: store.meshId, storeId: store.storeId });
    let reply: WireAttestation[];
    try {
      await stream.send({ t: 'attestations', storeId: store.storeId, attestations: mine }, this.abort.signal);
      this.metrics.attestationsSent += mine.length;
      reply = (await this.expectAttestations(stream, store)).attestations;
    } finally {
      await stream.close();
    }
    this.metrics.attestationsReceived += reply.length;
    if (reply.length > 0) await this.attest(stream, store, reply, conn.remoteNodeId);
    return { sent: mine.length, received: reply.length };
  }

  private async serveAttest(stream: MessageStream, remote: NodeId, header: RequestHeader): Promise<void> {
    const store = this.requireStore(header);
    if (!store.attestations) throw new LatticeError('E_BAD_ARGUMENT', 'this store has no hot-fix attestations (a root store)');
    const theirs = (await this.expectAttestations(stream, store)).attestations;
    this.metrics.attestationsReceived += theirs.length;
    if (theirs.length > 0) await this.attest(stream, store, theirs, remote);
    const sent = new Set(theirs.map(attestationId));
    const reply = store.attestations().filter((a) => !sent.has(attestationId(a))).slice(0, MAX_ATTESTATIONS);
    await stream.send({ t: 'attestations', storeId: store.storeId, attestations: reply }, this.abort.signal);
    this.metrics.attestationsSent += reply.length;
    await stream.close();
  }

  private async expectAttestations(stream: MessageStream, store: SyncStore): Promise<Attestations> {
    const m = await stream.expect('attestations', this.abort.signal);
    if (toHex(m.storeId) !== toHex(store.storeId)) {
      const err = new LatticeError('E_BAD_FRAME', 'attestations of another store than the request names');
      stream.punish('protocol', err);
      throw err;
    }
    return m;
  }

  /** A forged or corrupted attestation is the sender's fault (honest nodes send only ones they verified): charged. */
  private async attest(stream: MessageStream, store: SyncStore, items: WireAttestation[], from: NodeId): Promise<void> {
    try {
      await store.attest!(items, from);
    } catch (e) {
      const err = asLatticeError(e);
      if (err.code === 'E_BAD_SIGNATURE') stream.punish('protocol', err);
      throw err;
    }
  }

  private async serveSync(stream: MessageStream, remote: NodeId, header: RequestHeader): Promise<void> {
    const store = this.requireStore(header);
    const neg = new Negentropy(store.negentropyTree(), NEG_FRAME_LIMIT);
    const incoming: Uint8Array[] = [];
    for (let m = await stream.receive(this.abort.signal); m !== null; m = await stream.receive(this.abort.signal)) {
      if (m.t === 'neg') {
        await stream.send({ t: 'neg', storeId: store.storeId, msg: neg.respond(m.msg) }, this.abort.signal);
      } else if (m.t === 'get') {
        const found: Uint8Array[] = [];
        for (const h of m.hashes) {
          const s = store.getSigned(h);
          if (s) found.push(s);
        }
        const batches = [...chunks(found)];
        if (batches.length === 0) batches.push([]);
        for (let i = 0; i < batches.length; i++) {
          await stream.send({ t: 'intentions', storeId: store.storeId, intentions: batches[i]!, done: i === batches.length - 1 }, this.abort.signal);
          this.metrics.sent += batches[i]!.length;
        }
      } else if (m.t === 'intentions') {
        this.metrics.received += m.intentions.length;
        incoming.push(...m.intentions);
        if (m.done) {
          await store.ingest(incoming.splice(0), remote);
        }
      } else {
        const err = new LatticeError('E_BAD_FRAME', `unexpected ${m.t} in a sync session`);
        stream.punish('protocol', err);
        throw err;
      }
    }
    if (incoming.length > 0) await store.ingest(incoming, remote);
    await stream.close();
  }

  // --- bootstrap clone -------------------------------------------------------------------------------------------

  /** Streams the peer's witness log of a store from `fromSeq` into `store`, in large batches. */
  async cloneStore(conn: Connection, store: SyncStore, fromSeq = 1, onProgress?: (n: number) => void): Promise<number> {
    const stream = await this.open(conn, { t: 'req', kind: 'clone', meshId: store.meshId, storeId: store.storeId });
    let n = 0;
    try {
      await stream.send({ t: 'clone-start', storeId: store.storeId, fromSeq }, this.abort.signal);
      // A pipeline of CLONE_DEPTH ingests: while batch k commits, k+1 verifies on the pool and k+2 arrives, so the
      // pool is never idle waiting for a commit. Store.ingest decodes and verifies outside the store's queue and
      // commits in the queue: batches of a full CLONE_BATCH reach the pool, whose workers answer in order, so they
      // commit in call order, i.e. witness order. A short final batch might verify on the calling thread and pass
      // one still on the pool, so it waits for those first.
      let pending: Uint8Array[] = [];
      const inflight: Promise<unknown>[] = [];
      for (;;) {
        const batch = await stream.expect('clone', this.abort.signal);
        const items = unpackCloneBatch(batch);
        for (let i = 0; i < items.length; i++) pending.push(items[i]!);
        n += items.length;
        this.metrics.received += items.length;
        if (pending.length >= CLONE_BATCH || batch.done) {
          while (inflight.length >= (batch.done ? 1 : CLONE_DEPTH)) await inflight.shift();
          const got = n;
          const ingesting = store.ingest(pending, conn.remoteNodeId).then(() => onProgress?.(got));
          ingesting.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile
          inflight.push(ingesting);
          pending = [];
        }
        if (batch.done) break;
      }
      for (const p of inflight) await p;
    } finally {
      await stream.close();
    }
    return n;
  }

  private async serveClone(stream: MessageStream, header: RequestHeader): Promise<void> {
    const store = this.requireStore(header);
    const start = await stream.expect('clone-start', this.abort.signal);
    let seq = Math.max(1, start.fromSeq);
    for (;;) {
      const signed = store.witnessedFrom(seq, CLONE_BATCH);
      const done = signed.length < CLONE_BATCH;
      const batches = [...chunks(signed)];
      if (batches.length === 0) batches.push([]);
      for (let i = 0; i < batches.length; i++) {
        const last = done && i === batches.length - 1;
        await stream.send(packCloneBatch(store.storeId, seq, batches[i]!, last), this.abort.signal);
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
    const stream = await this.open(conn, { t: 'req', kind: 'module' });
    try {
      await stream.send({ t: 'module-get', cid }, this.abort.signal);
      const parts: Uint8Array[] = [];
      let got = 0;
      for (;;) {
        const chunk = await stream.expect('module-chunk', this.abort.signal);
        if (chunk.offset !== got) throw new LatticeError('E_BAD_FRAME', 'module chunks out of order');
        parts.push(chunk.bytes);
        got += chunk.bytes.length;
        if (got >= chunk.total) break;
      }
      return concatBytes(...parts);
    } finally {
      await stream.close();
    }
  }

  private async serveModule(stream: MessageStream): Promise<void> {
    const req = await stream.expect('module-get', this.abort.signal);
    const bytes = this.host.moduleBytes(req.cid as Cid);
    if (!bytes) throw new LatticeError('E_MODULE_NOT_FOUND', 'no module with this CID here');
    for (let o = req.offset ?? 0; o < bytes.length || o === 0; o += MODULE_CHUNK) {
      await stream.send({ t: 'module-chunk', cid: req.cid, offset: o, bytes: bytes.subarray(o, o + MODULE_CHUNK), total: bytes.length }, this.abort.signal);
      if (bytes.length === 0) break;
    }
    await stream.close();
  }

  /** Asks the inviter to admit this node (the only request a non-member may make). */
  async requestJoin(conn: Connection, join: Join): Promise<JoinReply> {
    const stream = await this.open(conn, { t: 'req', kind: 'join', meshId: join.meshId });
    try {
      await stream.send(join, this.abort.signal);
      return await stream.expect('join-ok', this.abort.signal);
    } finally {
      await stream.close();
    }
  }
}

/** What identifies an attestation's content: the same node, module, witnessed set and state hash. */
function attestationId(a: WireAttestation): string {
  return `${toHex(a.node)}/${toHex(a.cid)}/${toHex(a.fingerprint)}/${toHex(a.stateHash)}`;
}

export type { WireMessage };
