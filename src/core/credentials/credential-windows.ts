import type { StoredCredential } from './credential-store.js';

/** Stop using a value this long before WeChat's expiry (at most 60 s, 10% of short lifetimes). */
export const SAFETY_MARGIN_MAX_MS = 60_000;
/**
 * Start refreshing in the background this long before expiry. Inside WeChat's last 5 minutes,
 * so a normal-mode stable_token call hands out the next token rather than the same one.
 */
export const REFRESH_AHEAD_MAX_MS = 270_000;

export interface CredentialWindows {
  /** after this the value is not served any more */
  usableUntil: number;
  /** after this a background refresh is started */
  refreshAt: number;
}

export function credentialWindows(c: StoredCredential): CredentialWindows {
  const lifetime = Math.max(1000, c.expiresAt - c.fetchedAt);
  return {
    usableUntil: c.expiresAt - Math.min(SAFETY_MARGIN_MAX_MS, lifetime * 0.1),
    refreshAt: c.expiresAt - Math.min(REFRESH_AHEAD_MAX_MS, lifetime * 0.25),
  };
}

export function isUsable(c: StoredCredential | undefined, now: number): c is StoredCredential {
  return !!c && now < credentialWindows(c).usableUntil;
}

/** WeChat may answer a tiny or zero expires_in; never store a value with a lifetime under 1 s. */
export function toStoredCredential(value: string, expiresInSec: number, now: number): StoredCredential {
  const lifetimeMs = Math.max(1000, Math.floor(expiresInSec * 1000));
  return { value, fetchedAt: now, expiresAt: now + lifetimeMs };
}

/** TTL for the shared tier: until the value stops being usable, never zero or negative. */
export function sharedTtlMs(c: StoredCredential, now: number): number {
  return Math.max(1000, Math.ceil(credentialWindows(c).usableUntil - now));
}
