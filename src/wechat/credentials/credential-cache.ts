import { Logger } from '@nestjs/common';
import { WechatUnavailableError } from '../api/wechat-api.error.js';
import { delay } from '../api/retry-policy.js';
import type { WechatEventListener } from '../wechat-events.js';
import type { SharedCredentialStore, StoredCredential } from './credential-store.js';
import { credentialWindows, isUsable, sharedTtlMs, toStoredCredential } from './credential-windows.js';

export interface FetchedCredential {
  value: string;
  expiresInSec: number;
}
/** Fetches a fresh value from WeChat; `stale` is the value being replaced, if any. */
export type CredentialFetcher = (stale?: string) => Promise<FetchedCredential>;

export interface CredentialTiming {
  /** how long one instance may hold the refresh lock (longer than a fetch with its retries) */
  lockTtlMs: number;
  /** how long a caller waits for another instance's fetch before giving up with 503 */
  waitBudgetMs: number;
  pollIntervalMs: number;
  /** pause between failed or fruitless background refreshes of one key */
  backgroundRetryMs: number;
  /**
   * After a failed fetch, callers in this process get the same error for this long without
   * calling WeChat again, so a burst during an outage cannot multiply the calls.
   */
  failureCooldownMs: number;
}

type CacheEvents = Pick<WechatEventListener, 'cacheLookup' | 'credentialRefresh'>;
const NO_EVENTS: CacheEvents = { cacheLookup: () => undefined, credentialRefresh: () => undefined };

interface MemoryEntry {
  name: string;
  credential: StoredCredential;
  usableUntil: number;
  refreshAt: number;
  nextBackgroundAt: number;
}

/**
 * Two tiers (this process's memory in front of the shared store), one fetch per window:
 * per-process single flight, a shared lock across processes with a re-read after taking it,
 * refresh ahead in the background, and compare-before-refresh for values WeChat rejected.
 */
export class CredentialCache {
  private readonly logger = new Logger('CredentialCache');
  private readonly memory = new Map<string, MemoryEntry>();
  private readonly inflight = new Map<string, Promise<StoredCredential>>();
  private readonly failures = new Map<string, { error: unknown; until: number }>();
  private lastStoreWarning = 0;

  constructor(
    private readonly store: SharedCredentialStore,
    private readonly timing: CredentialTiming,
    private readonly now: () => number = Date.now,
    private readonly events: CacheEvents = NO_EVENTS,
  ) {}

  /** The value from this process's memory while it is usable, else undefined; never waits. */
  peek(key: string, fetcher: CredentialFetcher): string | undefined {
    const entry = this.memory.get(key);
    if (entry) {
      const now = this.now();
      if (now < entry.usableUntil) {
        this.events.cacheLookup(entry.name, 'memory', true);
        if (now >= entry.refreshAt && now >= entry.nextBackgroundAt) this.refreshInBackground(key, entry, fetcher);
        return entry.credential.value;
      }
    }
    return undefined;
  }

  /** The hot path is peek(); otherwise the shared tier, then WeChat under the lock. */
  async get(key: string, fetcher: CredentialFetcher): Promise<string> {
    const fresh = this.peek(key, fetcher);
    if (fresh !== undefined) return fresh;
    this.events.cacheLookup(credentialName(key), 'memory', false);
    return (await this.foreground(key, () => this.load(key, fetcher))).value;
  }

  /** WeChat rejected `stale`: use a newer value if one exists, otherwise fetch one. */
  async replace(key: string, stale: string, fetcher: CredentialFetcher): Promise<string> {
    const entry = this.memory.get(key);
    if (entry && entry.credential.value !== stale && this.now() < entry.usableUntil) return entry.credential.value;
    const joined = this.inflight.get(key);
    if (joined) {
      const result = await joined;
      if (result.value !== stale) return result.value;
    }
    const accept = (c: StoredCredential | undefined): c is StoredCredential => c?.value !== stale && isUsable(c, this.now());
    return (await this.foreground(key, async () => {
      const shared = await this.readShared(key);
      return accept(shared) ? this.remember(key, shared) : this.fetchUnderLock(key, () => fetcher(stale), accept);
    })).value;
  }

  /** Resolves once no fetch or refresh is under way in this process (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight.values()]);
  }

  /** Drops the in-process copy (the shared copy stays). */
  forget(key: string): void {
    this.memory.delete(key);
  }

  /** A fetch a caller waits for: subject to the failure cooldown. */
  private foreground(key: string, work: () => Promise<StoredCredential>): Promise<StoredCredential> {
    const failure = this.failures.get(key);
    if (failure && this.now() < failure.until && !this.inflight.has(key)) return Promise.reject(failure.error);
    return this.flight(key, work).then(
      (credential) => {
        this.failures.delete(key);
        return credential;
      },
      (error: unknown) => {
        this.failures.set(key, { error, until: this.now() + this.timing.failureCooldownMs });
        throw error;
      },
    );
  }

  private flight(key: string, work: () => Promise<StoredCredential>): Promise<StoredCredential> {
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const promise = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private async load(key: string, fetcher: CredentialFetcher): Promise<StoredCredential> {
    const shared = await this.readShared(key);
    const hit = isUsable(shared, this.now());
    this.events.cacheLookup(credentialName(key), 'shared', hit);
    if (hit) return this.remember(key, shared);
    return this.fetchUnderLock(key, () => fetcher(), (c): c is StoredCredential => isUsable(c, this.now()));
  }

  private refreshInBackground(key: string, entry: MemoryEntry, fetcher: CredentialFetcher): void {
    entry.nextBackgroundAt = this.now() + this.timing.backgroundRetryMs;
    if (this.inflight.has(key)) return;
    const current = entry.credential;
    const newer = (c: StoredCredential | undefined): c is StoredCredential =>
      !!c && c.expiresAt > current.expiresAt && isUsable(c, this.now());
    void this.flight(key, async () => {
      const shared = await this.readShared(key);
      if (newer(shared)) return this.remember(key, shared);
      return this.fetchUnderLock(key, () => fetcher(), newer, { waitForOthers: false, fallback: current });
    }).catch((error: Error) => this.logger.warn(`background refresh of ${credentialName(key)} failed: ${error.message}`));
  }

  private async fetchUnderLock(
    key: string,
    fetch: () => Promise<FetchedCredential>,
    acceptable: (c: StoredCredential | undefined) => c is StoredCredential,
    opts: { waitForOthers: boolean; fallback?: StoredCredential } = { waitForOthers: true },
  ): Promise<StoredCredential> {
    const lockKey = `${key}:lock`;
    const deadline = this.now() + this.timing.waitBudgetMs;
    for (;;) {
      const owner = await this.tryLock(lockKey);
      if (owner !== null) {
        try {
          const again = owner ? await this.readShared(key) : undefined;
          if (acceptable(again)) return this.remember(key, again);
          const fetched = await this.timedFetch(key, fetch);
          const credential = toStoredCredential(fetched.value, fetched.expiresInSec, this.now());
          await this.writeShared(key, credential);
          return this.remember(key, credential);
        } finally {
          if (owner) await this.store.releaseLock(lockKey, owner).catch(() => undefined);
        }
      }
      if (!opts.waitForOthers) return opts.fallback!;
      const seen = await this.waitForOthers(key, lockKey, deadline, acceptable);
      if (seen) return this.remember(key, seen);
      if (this.now() >= deadline) {
        throw new WechatUnavailableError('credential refresh', 'timed out waiting for another instance to refresh');
      }
    }
  }

  private async timedFetch(key: string, fetch: () => Promise<FetchedCredential>): Promise<FetchedCredential> {
    const started = performance.now();
    try {
      const fetched = await fetch();
      this.events.credentialRefresh(credentialName(key), true, performance.now() - started);
      return fetched;
    } catch (error) {
      this.events.credentialRefresh(credentialName(key), false, performance.now() - started);
      throw error;
    }
  }

  /** Polls the shared tier until a value appears, the lock is gone, or the deadline passes. */
  private async waitForOthers(
    key: string,
    lockKey: string,
    deadline: number,
    acceptable: (c: StoredCredential | undefined) => c is StoredCredential,
  ): Promise<StoredCredential | undefined> {
    while (this.now() < deadline) {
      await delay(this.timing.pollIntervalMs);
      const seen = await this.readShared(key);
      if (acceptable(seen)) return seen;
      if (!(await this.store.isLocked(lockKey).catch(() => false))) return undefined;
    }
    return undefined;
  }

  /** '' means the store cannot lock right now (Redis down): fetch without the lock. */
  private async tryLock(lockKey: string): Promise<string | null> {
    try {
      return await this.store.acquireLock(lockKey, this.timing.lockTtlMs);
    } catch (error) {
      this.storeTrouble('lock', error);
      return '';
    }
  }

  private remember(key: string, credential: StoredCredential): StoredCredential {
    const { usableUntil, refreshAt } = credentialWindows(credential);
    this.memory.set(key, { name: credentialName(key), credential, usableUntil, refreshAt, nextBackgroundAt: 0 });
    return credential;
  }

  private async readShared(key: string): Promise<StoredCredential | undefined> {
    try {
      return await this.store.read(key);
    } catch (error) {
      this.storeTrouble('read', error);
      return undefined;
    }
  }

  private async writeShared(key: string, credential: StoredCredential): Promise<void> {
    try {
      await this.store.write(key, credential, sharedTtlMs(credential, this.now()));
    } catch (error) {
      this.storeTrouble('write', error);
    }
  }

  private storeTrouble(op: string, error: unknown): void {
    if (this.now() - this.lastStoreWarning < 5000) return;
    this.lastStoreWarning = this.now();
    this.logger.warn(`shared cache ${op} failed (${(error as Error).message}); serving from this process`);
  }
}

/** The key's last segment says which credential it is (access_token, jsapi_ticket, ...). */
function credentialName(key: string): string {
  return key.slice(key.lastIndexOf(':') + 1);
}
