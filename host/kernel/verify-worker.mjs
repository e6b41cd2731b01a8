// Ed25519 verification worker for the kernel's verify pool (verify-pool.ts). Plain .mjs with only node:crypto, so
// it starts under node, tsx and vitest alike. A job is one ArrayBuffer of `count` records of
// publicKey 32 ‖ intention hash 32 ‖ signature 64; the reply holds one byte per record, 1 when it verifies
// (strict RFC 8032 through OpenSSL, the same rule as host/model/keys.ts). KeyObjects are cached per public key.
import { createPublicKey, verify } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const RECORD = 128;
const keys = new Map();

function keyFor(pub) {
  const id = pub.toString('hex');
  let key = keys.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
    if (keys.size >= 4096) keys.delete(keys.keys().next().value);
    keys.set(id, key);
  }
  return key;
}

parentPort.on('message', ({ id, buffer, count }) => {
  const all = Buffer.from(buffer);
  const ok = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * RECORD;
    try {
      ok[i] = verify(null, all.subarray(o + 32, o + 64), keyFor(all.subarray(o, o + 32)), all.subarray(o + 64, o + 128)) ? 1 : 0;
    } catch {
      ok[i] = 0;
    }
  }
  parentPort.postMessage({ id, ok: ok.buffer }, [ok.buffer]);
});
