// The child node of the two-process Iroh test: started as `node --import tsx net-iroh-child.ts` with the
// parent's id and addresses in the environment. It prints its own id and addresses as one JSON line, connects,
// makes a ping request, serves the parent's push request, and exits by itself once the parent closes: a
// clean exit proves close() left no socket or timer behind.
import { fromHex, NodeKey, toHex, type NodeId } from '../../host/model/index.js';
import { createIrohTransport } from '../../host/net/iroh-transport.js';
import { MessageStream } from '../../host/net/message-stream.js';

const parentId = fromHex(process.env['PARENT_ID'] ?? '', 32) as NodeId;
const parentAddrs = JSON.parse(process.env['PARENT_ADDRS'] ?? '[]') as string[];

const transport = await createIrohTransport({ key: NodeKey.generate() }, { bindAddr: '127.0.0.1:0', connectTimeoutMs: 10_000 });
process.stdout.write(JSON.stringify({ nodeId: toHex(transport.nodeId), addrs: transport.addrs() }) + '\n');

const conn = await transport.connect(parentId, parentAddrs);

// child → parent: a ping request
const ping = new MessageStream(await conn.openStream());
await ping.send({ t: 'req', kind: 'ping' });
await ping.send({ t: 'ping', nonce: 4242 });
const pong = await ping.expect('pong');
if (pong.nonce !== 4242) throw new Error('wrong pong');
await ping.close();

// parent → child: a push request, answered with the same intentions bytes
const served = new MessageStream(await conn.acceptStream());
await served.expect('req');
const push = await served.expect('push');
await served.send({ t: 'intentions', storeId: push.storeId, intentions: push.intentions, done: true });
await served.close();

const info = await conn.closed;
process.stdout.write(JSON.stringify({ closed: info }) + '\n');
await transport.close();
