/** A credential as kept in the shared tier: the value with its absolute expiry. */
export interface StoredCredential {
  value: string;
  /** ms since epoch when WeChat stops accepting it */
  expiresAt: number;
  /** ms since epoch when it was fetched; with expiresAt gives its lifetime */
  fetchedAt: number;
}

/**
 * The tier shared by every instance (Redis in a cluster, in-process for one instance),
 * plus the lock that lets one instance fetch while the others wait.
 */
export interface SharedCredentialStore {
  readonly kind: 'redis' | 'memory';
  read(key: string): Promise<StoredCredential | undefined>;
  write(key: string, credential: StoredCredential, ttlMs: number): Promise<void>;
  /** SET NX PX: resolves to an owner token when taken, null when someone else holds it. */
  acquireLock(key: string, ttlMs: number): Promise<string | null>;
  /** Releases only when `owner` still holds the lock. */
  releaseLock(key: string, owner: string): Promise<void>;
  isLocked(key: string): Promise<boolean>;
  /** true when the shared tier answers */
  ping(): Promise<boolean>;
}

export function isStoredCredential(x: unknown): x is StoredCredential {
  const c = x as StoredCredential;
  return !!c && typeof c === 'object' && typeof c.value === 'string' && c.value.length > 0
    && Number.isFinite(c.expiresAt) && Number.isFinite(c.fetchedAt);
}
