import { randomFillSync } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Bytes >= 248 are rejected so every one of the 62 characters is equally likely.
const LIMIT = 248;
const pool = Buffer.alloc(4096);
let offset = pool.length;

function nextByte(): number {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++];
}

/** A nonce of [A-Za-z0-9] from the CSPRNG, drawn from a refilled pool to keep the hot path cheap. */
export function createNonce(length = 16): string {
  let out = '';
  while (out.length < length) {
    const b = nextByte();
    if (b < LIMIT) out += ALPHABET[b % 62];
  }
  return out;
}
