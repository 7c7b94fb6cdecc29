import { isIP } from 'node:net';

/**
 * Which hops in front of the service are trusted to report the client's address: none (`false`),
 * a count of proxies, or the proxies' addresses (IPs, CIDRs, or `loopback`/`linklocal`/`uniquelocal`).
 * The client address is then the first `X-Forwarded-For` entry not added by a trusted hop. `true`
 * trusts every hop, so a client could name any address it likes.
 */
export type TrustProxy = boolean | number | string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_HOPS = 10;

/** Reads TRUST_PROXY; a problem names what is wrong. */
export function parseTrustProxy(raw: string): { value: TrustProxy } | { problem: string } {
  const value = raw.trim().toLowerCase();
  if (['', 'false', 'no', 'off', '0'].includes(value)) return { value: false };
  if (['true', 'yes', 'on'].includes(value)) return { value: true };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    // `00` trusts no hop, as `0` does
    if (hops === 0) return { value: false };
    return hops <= MAX_HOPS ? { value: hops } : { problem: `a hop count must be 1 to ${MAX_HOPS}` };
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.find((entry) => !NAMED_RANGES.has(entry) && !isAddressOrCidr(entry));
  if (bad !== undefined || entries.length === 0)
    return { problem: 'must be false, a number of proxies (1, 2, ...), or comma-separated proxy IPs/CIDRs' };
  return { value: entries };
}

function isAddressOrCidr(entry: string): boolean {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash < 0) return true;
  const bits = entry.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * The setting as Fastify takes it. A hop count becomes a function trusting that many hops from the
 * socket (Fastify's own number setting trusts none), so the client address is the entry the
 * outermost trusted proxy added, never one the client wrote.
 */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}
