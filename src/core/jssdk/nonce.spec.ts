import { createNonce } from './nonce.js';

describe('createNonce', () => {
  it('gives 16 characters of [A-Za-z0-9] by default, and the asked length', () => {
    expect(createNonce()).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(createNonce(32)).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('does not repeat and uses the whole alphabet', () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const n = createNonce();
      seen.add(n);
      for (const c of n) chars.add(c);
    }
    expect(seen.size).toBe(5000);
    expect(chars.size).toBe(62);
  });
});
