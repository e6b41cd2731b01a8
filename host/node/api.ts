// The node API every client uses: the CLI embedded on a data dir, or through the daemon's Unix socket (the daemon
// forwards these calls one for one). Everything here is JSON-friendly (ids as hex strings, counts as numbers) so
// the answer is the same either way. DESIGN §8; the CLI issue's --json contract.

/** A member this node could not sync with: not reachable at any known address, or its session failed. */
export interface PeerFailure {
  nodeId: string;
  code: string;
  message: string;
}

/** What `lattice sync` did: peers synced with, intentions sent and received, and the members it could not reach. */
export interface SyncSummary {
  peers: number;
  sent: number;
  received: number;
  unreachable: PeerFailure[];
}

export interface StatusInfo {
  nodeId: string;
  dataDir: string;
  daemon: boolean;
  addrs: string[];
  meshes: { meshId: string; name?: string; rootStoreId: string; peers: number }[];
  stores: number;
  peers: number;
}

export interface StoreSummary {
  storeId: string;
  storeType: string;
  name?: string;
  meshId?: string;
  cid: string;
  seq: number;
  stateHash: string;
  paused: boolean;
}

export interface StoreInfo extends StoreSummary {
  heads: string[];
  floating: number;
  pausedError?: { code: string; message: string; [k: string]: unknown };
  authors: number;
  /** The hot-fix gate's view of the store (upgrade-gate.ts): upgrades being verified, verdicts, attestations, alarms. */
  upgrades?: {
    pending: { upgrade: string; cid: string; state: string }[];
    verdicts: { cid: string; fingerprint: string; equivalent: boolean; intentions: number; seq: number; stateHash: string; by: string; upgrade: string | null; at: string; firstDivergence?: Record<string, unknown> }[];
    attestations: { cid: string; fingerprint: string; node: string; stateHash: string }[];
    alarms: { storeId: string; cid: string; fingerprint: string; node: string; other: string; stateHash: string; otherStateHash: string; at: number }[];
  };
}

export interface HistoryEntry {
  seq: number;
  hash: string;
  author: string;
  /** ISO 8601 of the intention's HLC wall time. */
  time: string;
  hlc: string;
  /** ISO 8601 of the witness time. */
  witnessedAt: string;
  cid: string;
  result: string;
  code: number;
  op: unknown;
}

export interface ExecResult {
  intentions: string[];
  result: unknown;
  /** Per intention appended, in order: its seq and how the store's module took it ('applied', 'rejected(E_…)', 'pending'). */
  outcomes: { hash: string; seq: number | null; result: string; code: number }[];
}

export interface ModuleInfo {
  cid: string;
  storeType?: string;
  size: number;
  name?: string;
  version?: string;
  methods?: unknown[];
}

export interface PublishResult {
  cid: string;
  storeType: string;
  hotfix: boolean;
  verified: boolean;
  stores?: number;
  intentions?: number;
}

export interface ReplayReport {
  equivalent: boolean;
  intentions: number;
  firstDivergence: Record<string, unknown> | null;
}

export interface NodeApi {
  status(): Promise<StatusInfo>;
  // `mesh` (an id or unambiguous id prefix) selects the mesh a call acts on: default the mesh joined last, else the
  // one init created. Added after the first release: every earlier call shape still works.
  modulePublish(wasm: Uint8Array, storeType: string, mesh?: string): Promise<PublishResult>;
  moduleList(mesh?: string): Promise<ModuleInfo[]>;
  moduleShow(cid: string): Promise<ModuleInfo>;
  moduleReplay(store: string, wasm: Uint8Array): Promise<ReplayReport>;
  storeCreate(storeType: string, name?: string, mesh?: string): Promise<{ storeId: string; storeType: string; cid: string; name?: string }>;
  storeList(mesh?: string): Promise<StoreSummary[]>;
  storeInfo(store: string): Promise<StoreInfo>;
  storeExec(store: string, method: string, args: string[]): Promise<ExecResult>;
  storeQuery(store: string, method: string, args: string[]): Promise<{ result: unknown }>;
  storeHistory(store: string, opts: { from?: number; to?: number; author?: string }): Promise<HistoryEntry[]>;
  storeWatch(store: string, signal: AbortSignal): AsyncIterable<HistoryEntry>;
  storeVerify(store: string): Promise<{ ok: boolean; records: number; intentions?: number; stateHash?: string; error?: unknown }>;
  storeResume(store: string): Promise<{ ok: boolean }>;
  storeRebuild(store: string): Promise<{ seq: number; stateHash: string }>;
  peerInvite(opts: { expiresInSec?: number; mesh?: string }): Promise<{ token: string; expires: string }>;
  peerJoin(token: string): Promise<{ meshId: string; stores: number }>;
  peerList(mesh?: string): Promise<{ nodeId: string; status: string; addrs?: string[]; connected: boolean }[]>;
  peerRevoke(nodeId: string, mesh?: string): Promise<{ ok: boolean }>;
  sync(store?: string, mesh?: string): Promise<SyncSummary>;
  close(): Promise<void>;
}
