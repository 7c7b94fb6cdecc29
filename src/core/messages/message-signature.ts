import { createHash, timingSafeEqual } from 'node:crypto';

/** sha1 hex of the parts sorted as plain strings and joined without a separator. */
function sortedSha1(parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''), 'utf8')
    .digest('hex');
}

/** The `signature` of the URL check and of every push: sha1 over the sorted token, timestamp and nonce. */
export function urlSignature(token: string, timestamp: string, nonce: string): string {
  return sortedSha1([token, timestamp, nonce]);
}

/** The `msg_signature` of an encrypted message: sha1 over the sorted token, timestamp, nonce and Encrypt. */
export function messageSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sortedSha1([token, timestamp, nonce, encrypt]);
}

/** Whether `given` is exactly the expected lowercase hex, compared in constant time; anything else is false. */
export function signatureMatches(expectedHex: string, givenHex: unknown): boolean {
  if (typeof givenHex !== 'string') return false;
  const expected = Buffer.from(expectedHex, 'utf8');
  const given = Buffer.from(givenHex, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
