// How results and errors look on the terminal: --json documents (ids hex, bytes hex, 64-bit integers as numbers when
// safe, else strings) and the plain-text rendering used without --json.
import { toHex as bytesToHex } from '../host/model/bytes.js';
import type { StoreInfo } from '../host/node/api.js';

/** JSON.stringify replacer for values a node may return: bytes as hex, bigint as number when safe. */
export function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify has already called Buffer#toJSON here; the holder still has the original bytes.
  const original = (this as Record<string, unknown> | undefined)?.[key];
  if (original instanceof Uint8Array) return bytesToHex(original);
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}

export function toJson(value: unknown, pretty = true): string {
  return JSON.stringify(value, jsonReplacer, pretty ? 2 : undefined) ?? 'null';
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  return toJson(value, false);
}

/** A result as `key: value` lines; nested lists and objects indented below their key. */
export function renderText(result: unknown): string {
  if (result === null || typeof result !== 'object') return scalar(result);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      lines.push(`${key}: ${value.length === 0 ? '(none)' : ''}`.trimEnd());
      for (const item of value) {
        const text = item !== null && typeof item === 'object' ? renderText(item).split('\n') : [scalar(item)];
        lines.push(`  - ${text[0]}`, ...text.slice(1).map((l) => `    ${l}`));
      }
    } else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
      lines.push(`${key}:`, ...renderText(value).split('\n').map((l) => `  ${l}`));
    } else {
      lines.push(`${key}: ${scalar(value)}`);
    }
  }
  return lines.join('\n');
}

/**
 * `store info` as text: the divergence report that paused the store is printed once, under pausedError; the verdict
 * it came from points there (--json keeps both).
 */
export function storeInfoText(info: StoreInfo): string {
  const shown = info.pausedError?.['firstDivergence'];
  if (shown === undefined || !info.upgrades) return renderText(info);
  const same = toJson(shown, false);
  const verdicts = info.upgrades.verdicts.map((v) => (v.firstDivergence !== undefined && toJson(v.firstDivergence, false) === same ? { ...v, firstDivergence: '(shown under pausedError)' } : v));
  return renderText({ ...info, upgrades: { ...info.upgrades, verdicts } });
}
