// The guest SDK's copies of the protocol limits match host/model/limits.ts (a guest must hit the same limits).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_DEPTH } from '../../../abi/values.js';
import { MAX_KEY, MAX_VALUE } from '../../../host/model/limits.js';

const sdk = (file: string): string => readFileSync(join(import.meta.dirname, '..', '..', '..', 'guest-sdk', 'assembly', file), 'utf8');
const constant = (text: string, name: string): number => Number(/= (\d+);/.exec(text.slice(text.indexOf(`const ${name}:`)))?.[1]);

describe('guest SDK constants', () => {
  it('MAX_KEY and MAX_VALUE are the protocol limits', () => {
    expect(constant(sdk('state.ts'), 'MAX_KEY')).toBe(MAX_KEY);
    expect(constant(sdk('state.ts'), 'MAX_VALUE')).toBe(MAX_VALUE);
  });

  it('value nesting depth matches the host codec', () => {
    expect(constant(sdk('value.ts'), 'MAX_VALUE_DEPTH')).toBe(MAX_VALUE_DEPTH);
  });
});
