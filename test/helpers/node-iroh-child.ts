// The child node of the two-process Iroh test, started as `node --import tsx node-iroh-child.ts` with a data dir
// the parent initialised (so the instrumented modules are cached and binaryen never loads here). It opens the node
// with its Iroh network and answers one JSON command per stdin line with one JSON line on stdout:
// {cmd:'join',token} {cmd:'put',key,value,count} {cmd:'sync'} {cmd:'hash'} {cmd:'close'}.
import { createInterface } from 'node:readline';
import { openNode } from '../../host/node/node.js';

const node = await openNode({ dataDir: process.env['NODE_DIR'] ?? '', network: true });
process.stdout.write(JSON.stringify({ ready: true, nodeId: (await node.status()).nodeId }) + '\n');

type Command = { cmd: 'join'; token: string } | { cmd: 'put'; key: string; value: string; count: number } | { cmd: 'sync' } | { cmd: 'hash' } | { cmd: 'close' };

for await (const line of createInterface({ input: process.stdin })) {
  const c = JSON.parse(line) as Command;
  try {
    if (c.cmd === 'join') process.stdout.write(JSON.stringify(await node.peerJoin(c.token)) + '\n');
    else if (c.cmd === 'put') {
      for (let i = 0; i < c.count; i++) await node.storeExec('kv', 'put', [`${c.key}${i}`, c.value]);
      process.stdout.write(JSON.stringify({ ok: true }) + '\n');
    } else if (c.cmd === 'sync') process.stdout.write(JSON.stringify(await node.sync()) + '\n');
    else if (c.cmd === 'hash') {
      const info = await node.storeInfo('kv');
      process.stdout.write(JSON.stringify({ stateHash: info.stateHash, seq: info.seq }) + '\n');
    } else if (c.cmd === 'close') {
      await node.close();
      process.stdout.write(JSON.stringify({ closed: true }) + '\n');
      break;
    }
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: (e as { code?: string }).code ?? String(e) }) + '\n');
  }
}
