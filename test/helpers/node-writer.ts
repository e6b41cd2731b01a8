// A fast writer for large histories: a member key (added by the node's PeerAdd) whose kv puts are signed here and
// ingested in batches, instead of one committed local write per put (each is fsync'd, ~10 ms on a loaded VM).
// The ops are those of a real `put` made once through the module, with the key's bytes swapped (same length), so
// the module applies them as it applies its own.
import { encodeSystemOp } from '../../host/kernel/index.js';
import { decodeSigned, encodeSigned, fromHex, NodeKey, signIntention, ZERO_HASH, type Hash, type StoreId } from '../../host/model/index.js';
import type { Node } from '../../host/node/node.js';

const TEMPLATE_KEY = 'w#00000000';

export interface Writer {
  readonly key: NodeKey;
  /** The next `count` puts of this writer (keys `w` + 9 digits), as SignedIntention bytes in chain order. */
  next(count: number): Uint8Array[];
}

/** Adds a writer member to `node`'s mesh (a PeerAdd) and returns it, ready to sign puts for the kv store `store`. */
export async function addWriter(node: Node, store = 'kv'): Promise<Writer> {
  const meta = node.resolveStore(store);
  const s = await node.store(meta.storeId);
  const key = NodeKey.generate();
  await (await node.store(meta.meshId)).submit(encodeSystemOp({ op: 'PeerAdd', node: key.publicKey }));
  const template = await node.storeExec(store, 'put', [TEMPLATE_KEY, 'v']);
  const ops = s.getSigned(fromHex(template.intentions[0]!, 32) as Hash)!;
  const opsBytes = decodeSigned(ops, { verify: false }).intention.ops;
  const at = Buffer.from(opsBytes).indexOf(Buffer.from(TEMPLATE_KEY));
  if (at < 0) throw new Error('template key not found in the put ops');
  const genesis = s.info().genesis!;
  let prev: Hash = ZERO_HASH;
  const wall = Date.now() + 1; // above genesis; the counter orders the chain
  let n = 0;
  return {
    key,
    next(count) {
      const out: Uint8Array[] = [];
      for (let i = 0; i < count; i++, n++) {
        const body = new Uint8Array(opsBytes);
        body.set(Buffer.from(`w${String(n).padStart(TEMPLATE_KEY.length - 1, '0')}`), at);
        const signed = signIntention(key, {
          author: key.publicKey, timestamp: { wallMs: wall, counter: n }, storeId: meta.storeId as StoreId,
          storePrev: prev, condition: prev === ZERO_HASH ? [genesis] : [], ops: body,
        });
        prev = signed.hash;
        out.push(encodeSigned(signed));
      }
      return out;
    },
  };
}
