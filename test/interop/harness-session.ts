// The reference's stdin/stdout harness protocol (hoytech/negentropy test/js/harness.js, test/cpp/harness.cpp) as a
// pure line processor, so the interop shell stays a few lines and the protocol itself is unit-tested.
// In: `item,<ts>,<hex id>`, `seal`, `initiate`, `msg,<hex>`. Out: `msg,<hex>`, `have,<hex>`, `need,<hex>`, `done`.
import { fromHex, toHex } from '../../host/model/bytes.js';
import { LatticeError } from '../../host/model/errors.js';
import { Negentropy } from '../../host/sync/negentropy.js';
import { NegentropyTree } from '../../host/sync/negentropy-tree.js';

export class HarnessSession {
  private readonly tree = new NegentropyTree();
  private ne: Negentropy | null = null;

  constructor(private readonly frameSizeLimit = 0) {}

  /** Processes one input line; returns the output lines (empty for item/seal). Throws LatticeError on misuse. */
  line(text: string): string[] {
    const line = text.trim();
    if (line === '') return [];
    const fields = line.split(',');
    switch (fields[0]) {
      case 'item': {
        if (fields.length !== 3) throw new LatticeError('E_BAD_ARGUMENT', 'wrong num of fields');
        if (!/^\d+$/.test(fields[1]!)) throw new LatticeError('E_BAD_ARGUMENT', `bad timestamp: ${fields[1]}`);
        this.tree.insert(BigInt(fields[1]!), fromHex(fields[2]!, 32));
        return [];
      }
      case 'seal':
        this.tree.seal();
        this.ne = new Negentropy(this.tree, this.frameSizeLimit);
        return [];
      case 'initiate': {
        const q = this.session().initiate();
        this.checkLimit(q);
        return [`msg,${toHex(q)}`];
      }
      case 'msg': {
        const ne = this.session();
        const msg = fromHex(fields[1] ?? '');
        if (!ne.isInitiator) {
          const q = ne.respond(msg);
          this.checkLimit(q);
          return [`msg,${toHex(q)}`];
        }
        const { output, have, need } = ne.reconcile(msg);
        const out = [...have.map((id) => `have,${toHex(id)}`), ...need.map((id) => `need,${toHex(id)}`)];
        if (output === null) out.push('done');
        else {
          this.checkLimit(output);
          out.push(`msg,${toHex(output)}`);
        }
        return out;
      }
      default:
        throw new LatticeError('E_BAD_ARGUMENT', `unknown cmd: ${fields[0]}`);
    }
  }

  private session(): Negentropy {
    if (!this.ne) throw new LatticeError('E_BAD_ARGUMENT', 'not sealed');
    return this.ne;
  }

  private checkLimit(q: Uint8Array): void {
    if (this.frameSizeLimit && q.length > this.frameSizeLimit) {
      throw new LatticeError('E_FRAME_TOO_LARGE', `frameSizeLimit exceeded: ${q.length} > ${this.frameSizeLimit}`);
    }
  }
}
