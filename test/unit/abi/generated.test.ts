// The generated ABI bindings are the generator's output for the current abi/lattice_v1.ts (STYLE 6).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateGuest, generateHost, GUEST_FILE, HOST_FILE } from '../../../abi/generate.js';
import { LATTICE_V1_IMPORT_NAMES } from '../../../abi/host.generated.js';
import { IMPORTS, STATUS, VALUE_TAG } from '../../../abi/lattice_v1.js';

describe('generated ABI bindings', () => {
  it('abi/host.generated.ts is up to date (run: node --import tsx abi/generate.ts)', () => {
    expect(readFileSync(HOST_FILE, 'utf8')).toBe(generateHost());
  });

  it('guest-sdk/assembly/abi.generated.ts is up to date (run: node --import tsx abi/generate.ts)', () => {
    expect(readFileSync(GUEST_FILE, 'utf8')).toBe(generateGuest());
  });

  it('declares every import, status and tag of the definition', () => {
    expect([...LATTICE_V1_IMPORT_NAMES]).toEqual(IMPORTS.map((f) => f.name));
    const guest = generateGuest();
    for (const f of IMPORTS) expect(guest).toContain(`@external("lattice_v1", "${f.name}")\nexport declare function ${f.name}(`);
    for (const v of Object.values(STATUS)) expect(guest).toMatch(new RegExp(`: i32 = ${v};`));
    for (const [k, v] of Object.entries(VALUE_TAG)) expect(guest).toContain(`export const TAG_${k.toUpperCase()}: u8 = ${v};`);
  });
});
