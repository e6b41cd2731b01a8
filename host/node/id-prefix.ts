// Node ids as users type them: the whole 64 hex characters, or a prefix of the 12 that history and peer list print.
import { LatticeError } from '../model/index.js';

/**
 * The ids among `ids` (lowercase hex) that `text` names: itself when it is a whole id (known or not), else those it
 * is a prefix of. E_BAD_ARGUMENT when `text` is not hex; `what` names the argument in that message.
 */
export function idsByPrefix(text: string, ids: readonly string[], what: string): string[] {
  const want = text.toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(want)) throw new LatticeError('E_BAD_ARGUMENT', `${what} ${text}: expected a node id or a prefix of one, in hex`);
  return want.length === 64 ? [want] : ids.filter((id) => id.startsWith(want));
}
