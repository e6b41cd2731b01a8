// Every StateMachine passes the same suite: the native counter (kernel tests) and the shipped Wasm modules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeArgs, val } from '../../../abi/values.js';
import { NativeCounter } from '../../../host/kernel/native-counter.js';
import { DEFAULT_LIMITS } from '../../../host/model/index.js';
import { createMemoryCasTable, createRuntime, ModuleCas } from '../../../host/runtime/index.js';
import { runStateMachineConformance } from '../../conformance/state-machine.js';

const root = join(import.meta.dirname, '../../..');
const call = (method: string, ...args: string[]) => ({ method, args: encodeArgs(args.map((a) => val.string(a))) });

async function wasm(name: string) {
  const cas = new ModuleCas(createMemoryCasTable());
  const cid = await cas.putModule(new Uint8Array(readFileSync(join(root, 'modules', name, 'build', `${name}.wasm`))));
  return createRuntime({ cas }).load(cid, DEFAULT_LIMITS);
}

runStateMachineConformance('NativeCounter', async () => ({ machine: new NativeCounter(), command: call('increment', 'k'), query: call('get', 'k') }));
runStateMachineConformance('Wasm demo:counter', async () => ({ machine: await wasm('counter'), command: call('increment', 'k'), query: call('get', 'k') }));
runStateMachineConformance('Wasm core:kvstore', async () => ({ machine: await wasm('kv'), command: call('put', 'k', 'v'), query: call('get', 'k') }));
