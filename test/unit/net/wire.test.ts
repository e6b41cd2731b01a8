import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { encodeSigned, isLatticeError, MAX_FRAME, newStoreId, NodeKey, signIntention, ZERO_HASH, type Hash, type StoreId } from '../../../host/model/index.js';
import {
  decodeMessage, encodeMessage, expectMessage, MAX_ATTESTATIONS, MODULE_CHUNK, packCloneBatch, SCHEMAS, unpackCloneBatch, type WireAttestation, type WireMessage,
} from '../../../host/net/wire.js';

const sid = newStoreId();
const h = (n: number): Hash => new Uint8Array(32).fill(n) as Hash;

function signed(key: NodeKey, storeId: StoreId, wallMs: number, ops = new Uint8Array([0, 1, 2])): Uint8Array {
  return encodeSigned(signIntention(key, { author: key.publicKey, timestamp: { wallMs, counter: 0 }, storeId, storePrev: ZERO_HASH, condition: [], ops }));
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isLatticeError(e)) return e.code;
    throw e;
  }
  throw new Error('did not throw');
}

const key = NodeKey.generate();
const intention = signed(key, sid, 1_700_000_000_000);
const attestation = (n: number): WireAttestation => ({
  node: h(n) as never, cid: h(n + 1) as never, fingerprint: new Uint8Array(16).fill(n), stateHash: h(n + 2), signature: new Uint8Array(64).fill(n + 3),
});

const SAMPLES: WireMessage[] = [
  { t: 'req', kind: 'sync', meshId: newStoreId(), storeId: sid },
  { t: 'req', kind: 'join' },
  { t: 'push', storeId: sid, intentions: [intention] },
  { t: 'fetch-chain', storeId: sid, hashes: [h(1), h(2)], limit: 500 },
  { t: 'chain', storeId: sid, intentions: [intention], more: false },
  { t: 'neg', storeId: sid, msg: new Uint8Array([0x61, 0, 1]) },
  { t: 'get', storeId: sid, hashes: [h(3)] },
  { t: 'intentions', storeId: sid, intentions: [intention], missing: [h(4)], done: true },
  { t: 'clone-start', storeId: sid, fromSeq: 0 },
  packCloneBatch(sid, 0, [intention], true),
  { t: 'module-get', cid: h(5) as never, offset: 0 },
  { t: 'module-chunk', cid: h(5) as never, offset: 0, bytes: new Uint8Array(10), total: 10 },
  { t: 'join', meshId: newStoreId(), proof: new Uint8Array(32).fill(9) },
  { t: 'join-ok', meshId: sid, rootStoreId: sid },
  { t: 'err', code: 'E_UNAUTHORIZED', message: 'not a member' },
  { t: 'ping', nonce: 42 },
  { t: 'pong', nonce: 42 },
  { t: 'req', kind: 'attest', meshId: newStoreId(), storeId: sid },
  { t: 'attestations', storeId: sid, attestations: [attestation(1), attestation(2)] },
];

describe('wire messages', () => {
  it('has a sample for every message type, and each round-trips exactly', () => {
    expect(new Set(SAMPLES.map((m) => m.t))).toEqual(new Set(Object.keys(SCHEMAS)));
    for (const m of SAMPLES) {
      const back = decodeMessage(encodeMessage(m));
      expect(back).toEqual(m);
      for (const v of Object.values(back)) if (v instanceof Uint8Array) expect(v.constructor).toBe(Uint8Array);
    }
    const nested = decodeMessage(encodeMessage(SAMPLES.at(-1)!)) as { attestations: WireAttestation[] };
    for (const a of nested.attestations) for (const v of Object.values(a)) expect((v as Uint8Array).constructor).toBe(Uint8Array);
  });

  it('rejects frames that are not msgpack, not maps, or of unknown type as E_BAD_FRAME', () => {
    expect(code(() => decodeMessage(new Uint8Array([0xc1])))).toBe('E_BAD_FRAME');
    expect(code(() => decodeMessage(new Uint8Array(0)))).toBe('E_BAD_FRAME');
    expect(code(() => decodeMessage(pack([1, 2, 3])))).toBe('E_BAD_FRAME');
    expect(code(() => decodeMessage(pack('push')))).toBe('E_BAD_FRAME');
    expect(code(() => decodeMessage(pack({ t: 'nope' })))).toBe('E_BAD_FRAME');
    expect(code(() => decodeMessage(pack({ t: 'constructor' })))).toBe('E_BAD_FRAME');
    const ok = encodeMessage({ t: 'ping', nonce: 1 });
    const trailing = new Uint8Array(ok.length + 1);
    trailing.set(ok);
    expect(code(() => decodeMessage(trailing))).toBe('E_BAD_FRAME');
  });

  it('rejects schema violations: unknown or missing fields, wrong types and lengths', () => {
    const cases: unknown[] = [
      { t: 'ping', nonce: 1, extra: true },
      { t: 'ping' },
      { t: 'ping', nonce: -1 },
      { t: 'ping', nonce: 1.5 },
      { t: 'ping', nonce: '1' },
      { t: 'req', kind: 'steal' },
      { t: 'push', storeId: new Uint8Array(15), intentions: [] },
      { t: 'push', storeId: sid, intentions: [new Uint8Array(10)] },
      { t: 'fetch-chain', storeId: sid, hashes: [new Uint8Array(31)], limit: 1 },
      { t: 'err', code: 'not-a-code', message: 'x' },
      { t: 'module-chunk', cid: h(1), offset: 5, bytes: new Uint8Array(10), total: 10 },
      { t: 'module-chunk', cid: h(1), offset: 0, bytes: new Uint8Array(MODULE_CHUNK + 1), total: MODULE_CHUNK + 1 },
      { t: 'clone', storeId: sid, fromSeq: 0, authors: [], authorIx: [0], bodies: [new Uint8Array(200)], done: true },
      { t: 'clone', storeId: sid, fromSeq: 0, authors: [h(1)], authorIx: [0, 0], bodies: [new Uint8Array(200)], done: true },
      { t: 'attestations', storeId: sid },
      { t: 'attestations', storeId: sid, attestations: [h(1)] },
      { t: 'attestations', storeId: sid, attestations: [[...h(1)]] },
      { t: 'attestations', storeId: sid, attestations: [{ ...attestation(1), extra: 1 }] },
      { t: 'attestations', storeId: sid, attestations: [{ ...attestation(1), t: 'x' }] },
      { t: 'attestations', storeId: sid, attestations: [{ ...attestation(1), signature: undefined }] },
      { t: 'attestations', storeId: sid, attestations: [{ ...attestation(1), fingerprint: new Uint8Array(32) }] },
      { t: 'attestations', storeId: sid, attestations: [{ ...attestation(1), node: 'node' }] },
      { t: 'attestations', storeId: sid, attestations: Array.from({ length: MAX_ATTESTATIONS + 1 }, () => attestation(1)) },
    ];
    for (const c of cases) expect([JSON.stringify(c, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes(${v.length})` : v)), code(() => decodeMessage(pack(c)))]).toEqual([expect.any(String), 'E_BAD_FRAME']);
    // encode validates too: a bug on our side never reaches the wire.
    expect(code(() => encodeMessage({ t: 'ping', nonce: -5 }))).toBe('E_BAD_FRAME');
  });

  it('limits a message to MAX_FRAME (E_FRAME_TOO_LARGE both ways)', () => {
    const big = Array.from({ length: 3 }, () => signed(key, sid, 1, new Uint8Array(120 * 1024)));
    expect(code(() => encodeMessage({ t: 'push', storeId: sid, intentions: big }))).toBe('E_FRAME_TOO_LARGE');
    expect(code(() => decodeMessage(new Uint8Array(MAX_FRAME + 1)))).toBe('E_FRAME_TOO_LARGE');
    // The most attestations one message may carry fit in a frame.
    const most = encodeMessage({ t: 'attestations', storeId: sid, attestations: Array.from({ length: MAX_ATTESTATIONS }, (_, i) => attestation(i % 200)) });
    expect(most.length).toBeLessThan(MAX_FRAME);
  });

  it('expectMessage checks the type and re-raises a peer err as its typed error', () => {
    expect(expectMessage(encodeMessage({ t: 'pong', nonce: 3 }), 'pong').nonce).toBe(3);
    expect(code(() => expectMessage(encodeMessage({ t: 'pong', nonce: 3 }), 'ping'))).toBe('E_BAD_FRAME');
    expect(code(() => expectMessage(encodeMessage({ t: 'err', code: 'E_NOT_A_MEMBER', message: 'x' }), 'ping'))).toBe('E_NOT_A_MEMBER');
    expect(code(() => expectMessage(encodeMessage({ t: 'err', code: 'E_FROM_THE_FUTURE', message: 'x' }), 'ping'))).toBe('E_REMOTE');
  });
});

describe('clone batches', () => {
  it('carry the store id and authors once and re-assemble every intention byte for byte', () => {
    const keys = [NodeKey.generate(), NodeKey.generate(), NodeKey.generate()];
    const items = Array.from({ length: 60 }, (_, i) => signed(keys[i % 3]!, sid, 1_700_000_000_000 + i, new Uint8Array(i)));
    const batch = packCloneBatch(sid, 100, items, false);
    expect(batch.authors).toHaveLength(3);
    const decoded = decodeMessage(encodeMessage(batch));
    expect(decoded.t).toBe('clone');
    expect(unpackCloneBatch(decoded as typeof batch)).toEqual(items);
    const plain = encodeMessage({ t: 'push', storeId: sid, intentions: items }).length;
    const compact = encodeMessage(batch).length;
    // 48 bytes saved per intention, less a 1-byte author index each, the author table and the field names.
    expect(plain - compact).toBeGreaterThanOrEqual(60 * (48 - 1) - 3 * 34 - 40);
  });

  it('keeps runs of one author and alternations apart, and unpacks intentions that do not share bytes', () => {
    const [k1, k2] = [NodeKey.generate(), NodeKey.generate()];
    const order = [k1, k1, k1, k2, k1, k2, k2, k1];
    const items = order.map((k, i) => signed(k, sid, 1_700_000_000_000 + i, new Uint8Array(i * 7)));
    const batch = packCloneBatch(sid, 1, items, true);
    expect(batch.authors).toHaveLength(2);
    expect(batch.authorIx).toEqual([0, 0, 0, 1, 0, 1, 1, 0]);
    const out = unpackCloneBatch(decodeMessage(encodeMessage(batch)) as typeof batch);
    expect(out).toEqual(items);
    out[0]!.fill(0); // each is its own view: overwriting one leaves its neighbours intact
    expect(out.slice(1)).toEqual(items.slice(1));
  });

  it('refuses an intention of another store', () => {
    expect(code(() => packCloneBatch(sid, 0, [signed(key, newStoreId(), 1)], true))).toBe('E_BAD_FRAME');
  });
});
