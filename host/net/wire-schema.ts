// A small strict schema for wire messages: every field typed, unknown fields refused, lengths bounded. Decoded
// bytes come back as plain Uint8Array views (msgpackr hands out Buffers). Validation failures are E_BAD_FRAME.
import { LatticeError } from '../model/index.js';

export type FieldType =
  | { kind: 'bytes'; min: number; max: number }
  | { kind: 'string'; max: number; pattern?: RegExp }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'uint'; max: number }
  | { kind: 'bool' }
  | { kind: 'list'; of: FieldType; max: number }
  | { kind: 'record'; schema: Schema };

export interface FieldSpec {
  type: FieldType;
  optional?: boolean;
}

export type Schema = Record<string, FieldSpec>;

export const bytes = (min: number, max = min): FieldType => ({ kind: 'bytes', min, max });
export const str = (max: number, pattern?: RegExp): FieldType => (pattern ? { kind: 'string', max, pattern } : { kind: 'string', max });
export const oneOf = (values: readonly string[]): FieldType => ({ kind: 'enum', values });
export const uint = (max = Number.MAX_SAFE_INTEGER): FieldType => ({ kind: 'uint', max });
export const bool = (): FieldType => ({ kind: 'bool' });
export const list = (of: FieldType, max: number): FieldType => ({ kind: 'list', of, max });
/** A nested map checked as strictly as a message (no unknown fields). */
export const record = (schema: Schema): FieldType => ({ kind: 'record', schema });
export const req = (type: FieldType): FieldSpec => ({ type });
export const opt = (type: FieldType): FieldSpec => ({ type, optional: true });

export function badFrame(message: string, details: Record<string, unknown> = {}): LatticeError {
  return new LatticeError('E_BAD_FRAME', message, details);
}

function checkValue(type: FieldType, v: unknown, path: string): unknown {
  switch (type.kind) {
    case 'bytes': {
      if (!(v instanceof Uint8Array)) throw badFrame(`${path} must be bytes`, { field: path });
      if (v.length < type.min || v.length > type.max) {
        throw badFrame(`${path} must be ${type.min === type.max ? type.min : `${type.min}..${type.max}`} bytes, got ${v.length}`, { field: path });
      }
      return v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.length);
    }
    case 'string':
      if (typeof v !== 'string' || v.length > type.max || (type.pattern && !type.pattern.test(v))) throw badFrame(`${path} must be a valid string`, { field: path });
      return v;
    case 'enum':
      if (typeof v !== 'string' || !type.values.includes(v)) throw badFrame(`${path} must be one of ${type.values.join(', ')}`, { field: path });
      return v;
    case 'uint':
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > type.max) throw badFrame(`${path} must be an integer in 0..${type.max}`, { field: path });
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw badFrame(`${path} must be a boolean`, { field: path });
      return v;
    case 'list': {
      if (!Array.isArray(v)) throw badFrame(`${path} must be a list`, { field: path });
      if (v.length > type.max) throw badFrame(`${path} has ${v.length} items, at most ${type.max}`, { field: path });
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = checkValue(type.of, v[i], `${path}[${i}]`);
      return out;
    }
    case 'record':
      if (!isPlainObject(v)) throw badFrame(`${path} must be a map`, { field: path });
      return checkSchema(type.schema, v, path, false);
  }
}

/** A msgpack map as msgpackr decodes it (mapsAsObjects): a plain object, nothing else. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Validates `value` (already known to be a plain object) against `schema`; returns a normalised copy. */
export function checkSchema(schema: Schema, value: Record<string, unknown>, what: string, message = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if ((!message || key !== 't') && !Object.prototype.hasOwnProperty.call(schema, key)) throw badFrame(`${what} has an unknown field ${JSON.stringify(key)}`, { field: key });
  }
  for (const [key, spec] of Object.entries(schema)) {
    const v = value[key];
    if (v === undefined || v === null) {
      if (spec.optional) continue;
      throw badFrame(`${what}.${key} is missing`, { field: key });
    }
    out[key] = checkValue(spec.type, v, `${what}.${key}`);
  }
  return out;
}
