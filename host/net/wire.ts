// The wire messages (DESIGN §7): each frame is one msgpack map `{t, …}`, validated on decode by a strict schema
// per type. A stream starts with a `req` header naming the request (the node authorizes it, DESIGN §6); the
// messages that follow depend on its kind (docs/network.md lists the exchanges).
import { Packr } from 'msgpackr';
import { ERROR_CODES, LatticeError, MAX_DEPS, MAX_FRAME, MAX_MODULE_SIZE, MAX_PAYLOAD, type Cid, type ErrorCode, type Hash, type NodeId, type StoreId } from '../model/index.js';
import { frameTooLarge } from './frame.js';
import { badFrame, bool, bytes, checkSchema, isPlainObject, list, oneOf, opt, record, req, str, uint, type Schema } from './wire-schema.js';

/** Largest SignedIntention: fixed fields, MAX_DEPS deps, MAX_PAYLOAD ops, signature. */
export const MAX_SIGNED_INTENTION = 32 + 8 + 4 + 16 + 32 + 1 + 4 + 32 * MAX_DEPS + 4 + MAX_PAYLOAD + 64;
/** Bytes of payload a sender should put in one message, leaving room for the envelope inside MAX_FRAME. */
export const FRAME_BUDGET = MAX_FRAME - 4096;
/** Bytes of module per `module-chunk`. */
export const MODULE_CHUNK = 192 * 1024;
/** Most items of any list in one message (the frame limit bounds the bytes anyway). */
export const MAX_LIST = 8192;
/** Most attestations in one `attestations` message (about 200 bytes each, well inside a frame). */
export const MAX_ATTESTATIONS = 1024;
/** Bytes of a witnessed-set fingerprint in an attestation (Negentropy's, host/sync FINGERPRINT_SIZE). */
export const ATTESTATION_FINGERPRINT = 16;

export const REQUEST_KINDS = ['push', 'fetch-chain', 'sync', 'get', 'clone', 'module', 'join', 'ping', 'attest'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** First frame of every stream: what is asked, of which store in which mesh. */
export interface RequestHeader { t: 'req'; kind: RequestKind; meshId?: StoreId; storeId?: StoreId }
/** New SignedIntentions (encoding ‖ signature) of one store, sent as they are committed. */
export interface Push { t: 'push'; storeId: StoreId; intentions: Uint8Array[] }
/** Ask for intentions by hash and their storePrev chains, walking back until the asker knows them (bounded). */
export interface FetchChain { t: 'fetch-chain'; storeId: StoreId; hashes: Hash[]; limit: number }
/** Answer to fetch-chain: intentions, oldest first within each chain; `more` when the limit cut it short. */
export interface ChainReply { t: 'chain'; storeId: StoreId; intentions: Uint8Array[]; more: boolean }
/** One Negentropy V1 message of a sync session. */
export interface NegMsg { t: 'neg'; storeId: StoreId; msg: Uint8Array }
/** Ask for intentions by hash (the initiator's needs after reconciliation). */
export interface GetIntentions { t: 'get'; storeId: StoreId; hashes: Hash[] }
/** Intentions sent in reply to `get` or pushed as the initiator's haves; `missing` are hashes the sender lacks. */
export interface IntentionsReply { t: 'intentions'; storeId: StoreId; intentions: Uint8Array[]; missing?: Hash[]; done: boolean }
/** Start (or resume at `fromSeq`) a bootstrap clone of a store's witness log. */
export interface CloneStart { t: 'clone-start'; storeId: StoreId; fromSeq: number }
/**
 * A batch of a clone in witness order. The store id and authors travel once: `bodies[i]` is a SignedIntention
 * without its author and store id, whose author is `authors[authorIx[i]]` (packCloneBatch / unpackCloneBatch).
 */
export interface CloneBatch { t: 'clone'; storeId: StoreId; fromSeq: number; authors: NodeId[]; authorIx: number[]; bodies: Uint8Array[]; done: boolean }
/** Ask for a module's bytes by CID, from `offset`. */
export interface ModuleGet { t: 'module-get'; cid: Cid; offset?: number }
/** A piece of a module: `bytes` at `offset` of `total`. */
export interface ModuleChunk { t: 'module-chunk'; cid: Cid; offset: number; bytes: Uint8Array; total: number }
/** A non-member's only request: join `meshId` by proving the invite secret (sent over the encrypted connection). */
export interface Join { t: 'join'; meshId: StoreId; proof: Uint8Array; /** Where the joiner can be reached (recorded in its PeerAdd). */ addrs?: string[] }
/** The inviter added the joiner: `rootStoreId` is the mesh's root store to clone first. */
export interface JoinReply { t: 'join-ok'; meshId: StoreId; rootStoreId: StoreId }
/** A request failed: a stable E_… code and a one-line message; the sender closes the stream after it. */
export interface ErrorMsg { t: 'err'; code: string; message: string }
/** Liveness and round-trip probe; answered with the same nonce. */
export interface Ping { t: 'ping'; nonce: number }
export interface Pong { t: 'pong'; nonce: number }
/** One node's signed hot-fix attestation of a store (host/node/upgrade-verdicts.ts); the store is the message's. */
export interface WireAttestation { node: NodeId; cid: Cid; fingerprint: Uint8Array; stateHash: Uint8Array; signature: Uint8Array }
/**
 * Hot-fix attestations of one store, exchanged after a sync: the initiator sends those it holds, the responder
 * answers with those it holds that the initiator did not send.
 */
export interface Attestations { t: 'attestations'; storeId: StoreId; attestations: WireAttestation[] }

export type WireMessage =
  | RequestHeader | Push | FetchChain | ChainReply | NegMsg | GetIntentions | IntentionsReply | CloneStart | CloneBatch
  | ModuleGet | ModuleChunk | Join | JoinReply | ErrorMsg | Ping | Pong | Attestations;
export type MessageType = WireMessage['t'];
export type MessageOf<T extends MessageType> = Extract<WireMessage, { t: T }>;

const storeId = bytes(16);
const hash = bytes(32);
const intention = bytes(32 + 8 + 4 + 16 + 32 + 1 + 4 + 4 + 64, MAX_SIGNED_INTENTION);
const intentions = list(intention, MAX_LIST);

export const SCHEMAS: Record<MessageType, Schema> = {
  req: { kind: req(oneOf(REQUEST_KINDS)), meshId: opt(storeId), storeId: opt(storeId) },
  push: { storeId: req(storeId), intentions: req(intentions) },
  'fetch-chain': { storeId: req(storeId), hashes: req(list(hash, MAX_DEPS)), limit: req(uint(1_000_000)) },
  chain: { storeId: req(storeId), intentions: req(intentions), more: req(bool()) },
  neg: { storeId: req(storeId), msg: req(bytes(1, MAX_FRAME)) },
  get: { storeId: req(storeId), hashes: req(list(hash, MAX_LIST)) },
  intentions: { storeId: req(storeId), intentions: req(intentions), missing: opt(list(hash, MAX_LIST)), done: req(bool()) },
  'clone-start': { storeId: req(storeId), fromSeq: req(uint()) },
  clone: {
    storeId: req(storeId), fromSeq: req(uint()), authors: req(list(bytes(32), MAX_LIST)), authorIx: req(list(uint(MAX_LIST - 1), MAX_LIST)),
    bodies: req(list(bytes(12 + 32 + 1 + 4 + 4 + 64, MAX_SIGNED_INTENTION - 48), MAX_LIST)), done: req(bool()),
  },
  'module-get': { cid: req(hash), offset: opt(uint(MAX_MODULE_SIZE)) },
  'module-chunk': { cid: req(hash), offset: req(uint(MAX_MODULE_SIZE)), bytes: req(bytes(0, MODULE_CHUNK)), total: req(uint(MAX_MODULE_SIZE)) },
  join: { meshId: req(storeId), proof: req(bytes(32)), addrs: opt(list(str(256), 16)) },
  'join-ok': { meshId: req(storeId), rootStoreId: req(storeId) },
  err: { code: req(str(64, /^E_[A-Z0-9_]+$/)), message: req(str(1024)) },
  ping: { nonce: req(uint()) },
  pong: { nonce: req(uint()) },
  attestations: {
    storeId: req(storeId),
    attestations: req(list(record({
      node: req(bytes(32)), cid: req(hash), fingerprint: req(bytes(ATTESTATION_FINGERPRINT)), stateHash: req(hash), signature: req(bytes(64)),
    }), MAX_ATTESTATIONS)),
  },
};

// useRecords off: plain maps only, no msgpackr extension records a peer would have to understand.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

function validate(value: unknown): WireMessage {
  if (!isPlainObject(value)) throw badFrame('a message must be a msgpack map');
  const obj = value as Record<string, unknown>;
  const t = obj['t'];
  if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(SCHEMAS, t)) throw badFrame(`unknown message type ${JSON.stringify(t)}`);
  const out = checkSchema(SCHEMAS[t as MessageType], obj, t);
  if (t === 'clone') checkCloneShape(out);
  if (t === 'module-chunk' && (out['offset'] as number) + (out['bytes'] as Uint8Array).length > (out['total'] as number)) {
    throw badFrame('module-chunk runs past its total');
  }
  return { t, ...out } as unknown as WireMessage;
}

function checkCloneShape(m: Record<string, unknown>): void {
  const authors = m['authors'] as Uint8Array[];
  const ix = m['authorIx'] as number[];
  if (ix.length !== (m['bodies'] as Uint8Array[]).length) throw badFrame('clone: authorIx and bodies differ in length');
  for (const i of ix) if (i >= authors.length) throw badFrame('clone: author index out of range');
}

/** Validates and encodes a message into one frame's payload. Throws E_BAD_FRAME / E_FRAME_TOO_LARGE. */
export function encodeMessage(msg: WireMessage): Uint8Array {
  validate(msg);
  const out: Uint8Array = packr.pack(msg);
  if (out.length > MAX_FRAME) throw frameTooLarge(out.length, MAX_FRAME);
  return out;
}

/** Decodes and validates one frame's payload. Throws only E_BAD_FRAME / E_FRAME_TOO_LARGE. */
export function decodeMessage(frame: Uint8Array): WireMessage {
  if (frame.length > MAX_FRAME) throw frameTooLarge(frame.length, MAX_FRAME);
  if (frame.length === 0) throw badFrame('an empty frame');
  let value: unknown;
  try {
    value = packr.unpack(frame);
  } catch (e) {
    throw new LatticeError('E_BAD_FRAME', `a frame is not msgpack: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
  }
  return validate(value);
}

/** Decodes a frame and checks it is of type `t` (an `err` from the peer is re-raised as its LatticeError). */
export function expectMessage<T extends MessageType>(frame: Uint8Array, t: T): MessageOf<T> {
  const m = decodeMessage(frame);
  if (m.t === t) return m as MessageOf<T>;
  if (m.t === 'err') throw remoteError(m);
  throw badFrame(`expected a ${t} message, got ${m.t}`, { expected: t, got: m.t });
}

/** The LatticeError a peer's `err` message stands for (a code this node does not know becomes E_REMOTE). */
export function remoteError(m: ErrorMsg): LatticeError {
  const known = Object.prototype.hasOwnProperty.call(ERROR_CODES, m.code);
  return new LatticeError(known ? (m.code as ErrorCode) : 'E_REMOTE', `peer: ${m.message}`, { remote: true, remoteCode: m.code });
}

export { packCloneBatch, unpackCloneBatch } from './clone-batch.js';
