// One history entry as a line of text (store history, store watch without --json).
import type { HistoryEntry } from '../host/node/api.js';
import { toJson } from './output.js';

export function renderEntry(e: HistoryEntry): string {
  const op = e.op === undefined || e.op === null ? '' : ' ' + (typeof e.op === 'string' ? e.op : toJson(e.op, false));
  return `${String(e.seq).padStart(6)}  ${e.time}  ${e.author.slice(0, 12)}  ${e.hash.slice(0, 12)}  ${e.result}${op}`;
}
