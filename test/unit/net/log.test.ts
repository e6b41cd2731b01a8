import { describe, expect, it } from 'vitest';
import { logEnabled } from '../../../host/net/log.js';

describe('logger namespaces', () => {
  it('is silent by default and follows LATTICE_LOG patterns, exclusions first', () => {
    expect(logEnabled('lattice:net:iroh', '')).toBe(false);
    expect(logEnabled('lattice:net:iroh', '*')).toBe(true);
    expect(logEnabled('lattice:net:iroh', 'lattice:net:*')).toBe(true);
    expect(logEnabled('lattice:node', 'lattice:net:*')).toBe(false);
    expect(logEnabled('lattice:net:iroh', 'lattice:*,-lattice:net:iroh')).toBe(false);
    expect(logEnabled('lattice:net:score', 'lattice:*,-lattice:net:iroh')).toBe(true);
    expect(logEnabled('lattice:net.x', 'lattice:net?x')).toBe(false); // regex characters are literal
  });
});
