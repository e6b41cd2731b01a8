// resolveMembership (root-ops.ts) as a table of cases: membership as a function of the set of PeerAdd/PeerRevoke
// ops, the same for every order they are given in. `excludes` is a table too: which revoke leaves which op out.
import { expect, it } from 'vitest';
import { resolveMembership, type MembershipOp } from '../../../host/node/root-ops.js';

const add = (hash: string, author: string, node: string, stamp: string): MembershipOp => ({ kind: 'add', hash, author, node, stamp });
const revoke = (hash: string, author: string, node: string, stamp: string): MembershipOp => ({ kind: 'revoke', hash, author, node, stamp, tips: {} });

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Who is a member, rejected, revoked; which ops take effect: for every order of `ops`, which must all agree. */
function resolveAll(ops: MembershipOp[], excluded: [string, string][], nodes: string[]) {
  const ex = new Set(excluded.map(([r, op]) => `${r}/${op}`));
  const outs = permutations(ops).map((order) => {
    const res = resolveMembership(order, 'z', (r, op) => ex.has(`${r.hash}/${op.hash}`));
    return {
      admission: Object.fromEntries(nodes.map((n) => [n, res.admission(n)])),
      revoked: nodes.filter((n) => res.revokesOf(n).length > 0),
      effective: ops.filter((o) => res.effective(o.hash)).map((o) => o.hash).sort(),
    };
  });
  for (const o of outs) expect(o).toEqual(outs[0]);
  return outs[0]!;
}

const base = [add('+a', 'z', 'a', '1'), add('+b', 'z', 'b', '2')];

it.each([
  {
    name: 'mutual revokes: the earlier in canonical order counts',
    ops: [...base, revoke('a-b', 'a', 'b', '5'), revoke('b-a', 'b', 'a', '6')],
    excluded: [['a-b', 'b-a'], ['b-a', 'a-b']] as [string, string][],
    revoked: ['b'], effective: ['+a', '+b', 'a-b'],
  },
  {
    name: 'a revoke by a revoked node beyond its tip does not count',
    ops: [...base, revoke('z-a', 'z', 'a', '3'), revoke('a-b', 'a', 'b', '9')],
    excluded: [['z-a', 'a-b']] as [string, string][],
    revoked: ['a'], effective: ['+a', '+b', 'z-a'],
  },
  {
    name: 'an earlier revoke cancels one that would have won a tie',
    ops: [...base, add('+c', 'z', 'c', '2a'), revoke('c-a', 'c', 'a', '4'), revoke('a-b', 'a', 'b', '5'), revoke('b-a', 'b', 'a', '6')],
    excluded: [['c-a', 'a-b'], ['a-b', 'b-a'], ['b-a', 'a-b']] as [string, string][],
    revoked: ['a'], effective: ['+a', '+b', '+c', 'b-a', 'c-a'],
  },
  {
    name: 'an add by a revoked node beyond its tip is invalid; what it added is rejected, and its revokes do not count',
    ops: [...base, add('+d', 'a', 'd', '7'), revoke('z-a', 'z', 'a', '4'), revoke('d-b', 'd', 'b', '8')],
    excluded: [['z-a', '+d']] as [string, string][],
    revoked: ['a'], effective: ['+a', '+b', 'z-a'], admission: { d: 'rejected' },
  },
  {
    name: 'an add whose author is not known yet leaves the added node unknown',
    ops: [add('+d', 'q', 'd', '3')],
    excluded: [] as [string, string][],
    revoked: [], effective: [], admission: { d: 'unknown' },
  },
])('$name', ({ ops, excluded, revoked, effective, admission }) => {
  const out = resolveAll(ops, excluded, ['a', 'b', 'c', 'd']);
  expect(out.revoked).toEqual(revoked);
  expect(out.effective).toEqual(effective);
  for (const [n, a] of Object.entries(admission ?? {})) expect(out.admission[n]).toBe(a);
});
