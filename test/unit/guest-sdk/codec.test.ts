// The guest SDK against the host codec, on the real runtime: values the host encodes decode and re-encode
// byte-identically in the guest, malformed values are refused (never trap), the apply input decodes to the
// intention's fields, and state reads cross the SDK's scratch buffer size.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeValue, encodeArgs, encodeValue, val, type Value } from '../../../abi/values.js';
import type { StateMachine } from '../../../host/kernel/state-machine.js';
import { buildModule } from '../../../host/node/module-build.js';
import { loadMachine, Replica } from '../../../host/node/module-harness.js';
import { blake3, encodeAppOps, encodeIntention, isLatticeError, toHex, utf8, type Hash, type Intention, type NodeId, type StoreId } from '../../../host/model/index.js';

const SOURCE = `
import { input, output, state, Value, Schema, arg, bytesOf, concat, i64Bytes, OK, BAD_ARGUMENT } from "lattice-guest-sdk";
export function describe(): i32 {
  return new Schema("test:echo", "1").query("echo", [arg("v", "string")], "list<any>").query("read", [arg("k", "string")], "bytes").output();
}
export function command(): i32 { return OK; }
export function apply(): i32 {
  const i = input.intention();
  if (i == null) return 2;
  const v = Value.decode(i.app);
  if (v == null) return 1;
  state.set(bytesOf("value"), v.encode());
  let deps = new Uint8Array(0);
  for (let d = 0; d < i.deps.length; d++) deps = concat(deps, i.deps[d]);
  state.set(bytesOf("fields"), concat(concat(concat(i.author, i.hash), concat(i64Bytes(<i64>i.wallMs), i64Bytes(<i64>i.counter))), deps));
  if (v.isString()) state.set(bytesOf("big"), v.asBytes());
  return OK;
}
export function query(): i32 {
  const c = input.call();
  if (c == null) return BAD_ARGUMENT;
  if (c.method == "read") {
    const got = state.get(c.arg(0).asBytes());
    output.value(Value.fromBytes(got != null ? got : new Uint8Array(0)));
    return OK;
  }
  output.value(Value.list(c.args));
  return OK;
}
`;

const tmp = mkdtempSync(join(tmpdir(), 'lattice-sdk-'));
let machine: () => StateMachine;
beforeAll(async () => {
  mkdirSync(join(tmp, 'echo', 'assembly'), { recursive: true });
  writeFileSync(join(tmp, 'echo', 'assembly', 'index.ts'), SOURCE);
  machine = await loadMachine((await buildModule(join(tmp, 'echo'), { write: false })).bytes);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SAMPLES: Value[] = [
  val.string(''), val.string('héllo ✓'), val.bytes(new Uint8Array(0)), val.bytes(Uint8Array.of(0, 255, 7)),
  val.i64(-(2n ** 63n)), val.i64(2n ** 63n - 1n), val.u64(2n ** 64n - 1n), val.bool(false), val.bool(true),
  val.list([]), val.list([val.list([val.list([val.string('deep')])]), val.i64(3)]),
];

function intentionOf(body: Uint8Array, condition: Hash[] = []): { hash: Hash; intention: Intention; body: Uint8Array } {
  const intention: Intention = {
    author: blake3(utf8('author')) as unknown as NodeId, timestamp: { wallMs: 1_700_000_000_123, counter: 9 },
    storeId: new Uint8Array(16) as StoreId, storePrev: new Uint8Array(32) as Hash, condition, ops: encodeAppOps(body),
  };
  return { hash: blake3(encodeIntention(intention)), intention, body };
}

describe('guest SDK codec', () => {
  it('call arguments decode and re-encode byte for byte', () => {
    const r = new Replica('r', machine());
    const out = machine().query({ method: 'echo', args: encodeArgs(SAMPLES) }, r);
    expect(toHex(out.output!)).toBe(toHex(encodeValue(val.list(SAMPLES))));
    const d = decodeValue(out.output!);
    expect(d.ok && d.value).toEqual(val.list(SAMPLES));
  });

  it('malformed arguments are BAD_ARGUMENT, not a trap', () => {
    const r = new Replica('r', machine());
    for (const args of [Uint8Array.of(1, 0, 5, 1, 0, 0, 0, 2), Uint8Array.of(1, 0, 3, 7, 0, 0, 0), Uint8Array.of(1, 0), Uint8Array.of(1, 0, 1, 0, 0, 0, 0, 9)]) {
      try {
        machine().query({ method: 'echo', args }, r);
        expect.unreachable();
      } catch (e) {
        expect(isLatticeError(e, 'E_BAD_ARGUMENT')).toBe(true);
      }
    }
  });

  it('apply decodes the intention fields and the app value; malformed app bytes are rejected with the module code', () => {
    const r = new Replica('r', machine());
    const deps = [blake3(utf8('d1')), blake3(utf8('d2'))].sort((a, b) => (toHex(a) < toHex(b) ? -1 : 1));
    for (const d of deps) r.witnessed.add(toHex(d));
    for (const v of SAMPLES) {
      const i = intentionOf(encodeValue(v), deps);
      expect(r.apply(i).code).toBe(0);
      expect(r.get(utf8('value'))).toEqual(encodeValue(v));
      const f = r.get(utf8('fields'))!;
      const view = new DataView(f.buffer, f.byteOffset);
      expect(toHex(f.subarray(0, 32))).toBe(toHex(i.intention.author));
      expect(toHex(f.subarray(32, 64))).toBe(toHex(i.hash));
      expect(view.getBigUint64(64, true)).toBe(1_700_000_000_123n);
      expect(view.getBigUint64(72, true)).toBe(9n);
      expect(toHex(f.subarray(80))).toBe(deps.map(toHex).join(''));
    }
    const good = encodeValue(val.list([val.string('x')]));
    for (const bad of [new Uint8Array(0), good.subarray(0, good.length - 1), Uint8Array.of(...good, 0), Uint8Array.of(5, 1, 0, 0, 0, 2), Uint8Array.of(6, 4, 0, 0, 0, 200, 0, 0, 0)]) {
      const out = r.apply(intentionOf(bad));
      expect(out.code).toBe(1);
      expect(out.writes).toEqual([]);
    }
  });

  it('reads values larger than the scratch buffer', () => {
    const r = new Replica('r', machine());
    const big = 'x'.repeat(5000) + 'end';
    expect(r.apply(intentionOf(encodeValue(val.string(big)))).code).toBe(0);
    const out = machine().query({ method: 'read', args: encodeArgs([val.string('big')]) }, r);
    const d = decodeValue(out.output!);
    expect(d.ok && d.value.type === 'bytes' && new TextDecoder().decode(d.value.value)).toBe(big);
  });
});
