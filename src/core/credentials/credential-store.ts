/** A credential as kept in the shared tier: the value with its absolute expiry. */
export interface StoredCredential {
  value: string;
  /** ms since epoch when WeChat stops accepting it */
  expiresAt: number;
  /** ms since epoch when it was fetched; with expiresAt gives its lifetime */
  fetchedAt: number;
}

/**
 * What a token or ticket from WeChat can look like: 16 to 512 characters (WeChat asks clients
 * to reserve 512) of the URL-safe set its credentials use. Anything else (an HTML page, a
 * proxy's answer, a multi-megabyte body) is refused rather than cached and sent back to WeChat.
 */
const PLAUSIBLE_CREDENTIAL = /^[A-Za-z0-9_.~+/=*-]{16,512}$/;

export function isPlausibleCredential(value: unknown): value is string {
  return typeof value === 'string' && PLAUSIBLE_CREDENTIAL.test(value);
}

/** A well-formed stored credential (what the shared store hands back is untrusted). */
export function isStoredCredential(x: unknown): x is StoredCredential {
  const c = x as StoredCredential;
  return (
    !!c && typeof c === 'object' && isPlausibleCredential(c.value) && Number.isFinite(c.expiresAt) && Number.isFinite(c.fetchedAt)
  );
}
