import { WechatUnavailableError } from '../wechat-api.error.js';
import { SILENT, type Logger } from '../ports.js';
import { produceOnce } from '../produce-once.js';
import type { WechatStore } from '../wechat-store.js';
import type { WechatEventListener } from '../events.js';
import { isStoredCredential, type StoredCredential } from './credential-store.js';
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
  /**
   * The longest an in-process fetch may be joined: past it, callers stop waiting for it (503)
   * and the next one starts afresh. Every step is bounded already; this guards against a step
   * that is not (a client library that never settles).
   */
  inflightDeadlineMs: number;
}

type CacheEvents = Pick<WechatEventListener, 'cacheLookup' | 'credentialRefresh'>;
const NO_EVENTS: CacheEvents = { cacheLookup: () => undefined, credentialRefresh: () => undefined };

interface MemoryEntry {
  name: string;
  appId: string;
  credential: StoredCredential;
  /** the value this one replaced in this process (the signing diagnosis recognises it) */
  previous?: StoredCredential;
  usableUntil: number;
  refreshAt: number;
  nextBackgroundAt: number;
}

interface Flight {
  promise: Promise<StoredCredential>;
  deadline: number;
  /** set when a caller's wait on it ran out */
  expired?: boolean;
}

/**
 * Two tiers (this process's memory in front of the shared store), one fetch per window:
 * per-process single flight, a shared lock across processes with a re-read after taking it,
 * refresh ahead in the background, and compare-before-refresh for values WeChat rejected.
 */
export class CredentialCache {
  private readonly memory = new Map<string, MemoryEntry>();
  private readonly inflight = new Map<string, Flight>();
  private readonly failures = new Map<string, { error: unknown; until: number }>();
  private lastStoreWarning = 0;

  constructor(
    private readonly store: WechatStore,
    private readonly timing: CredentialTiming,
    private readonly now: () => number = Date.now,
    private readonly events: CacheEvents = NO_EVENTS,
    private readonly logger: Logger = SILENT,
  ) {}

  /** The value from this process's memory while it is usable, else undefined; never waits. */
  peek(key: string, fetcher: CredentialFetcher): string | undefined {
    return this.peekStored(key, fetcher)?.value;
  }

  /** The hot path is peek(); otherwise the shared tier, then WeChat under the lock. */
  async get(key: string, fetcher: CredentialFetcher): Promise<string> {
    return (await this.getStored(key, fetcher)).value;
  }

  /** WeChat rejected `stale`: use a newer value if one exists, otherwise fetch one. */
  async replace(key: string, stale: string, fetcher: CredentialFetcher): Promise<string> {
    return (await this.replaceStored(key, stale, fetcher)).value;
  }

  /** As get(), with the value's expiry (what the credential API hands to other services). */
  async getStored(key: string, fetcher: CredentialFetcher): Promise<StoredCredential> {
    const fresh = this.peekStored(key, fetcher);
    if (fresh !== undefined) return fresh;
    this.events.cacheLookup(credentialName(key), 'memory', false, appIdOfKey(key));
    return this.foreground(key, () => this.load(key, fetcher));
  }

  /** As replace(), with the value's expiry. */
  async replaceStored(key: string, stale: string, fetcher: CredentialFetcher): Promise<StoredCredential> {
    const entry = this.memory.get(key);
    if (entry && entry.credential.value !== stale && this.now() < entry.usableUntil) return entry.credential;
    const running = this.joinable(key);
    if (running) {
      const result = await this.bounded(running);
      if (result.value !== stale) return result;
    }
    const accept = (c: StoredCredential | undefined): c is StoredCredential => c?.value !== stale && isUsable(c, this.now());
    return this.foreground(key, async () => {
      const shared = await this.readShared(key);
      return accept(shared) ? this.remember(key, shared) : this.fetchUnderLock(key, () => fetcher(stale), accept);
    });
  }

  /** As peek(), with the value's expiry. */
  peekStored(key: string, fetcher: CredentialFetcher): StoredCredential | undefined {
    const entry = this.memory.get(key);
    if (entry) {
      const now = this.now();
      if (now < entry.usableUntil) {
        this.events.cacheLookup(entry.name, 'memory', true, entry.appId);
        if (now >= entry.refreshAt && now >= entry.nextBackgroundAt) this.refreshInBackground(key, entry, fetcher);
        return entry.credential;
      }
    }
    return undefined;
  }

  /**
   * What is held for `key` without fetching anything: the current value (this process's, else the
   * shared tier's) and the one it replaced, when this process saw the replacement.
   */
  async held(key: string): Promise<{ current?: string; previous?: string }> {
    const entry = this.memory.get(key);
    const usable = entry && this.now() < entry.usableUntil ? entry.credential : undefined;
    const current = usable ?? (await this.readShared(key)) ?? entry?.credential;
    const previous = entry && current && entry.credential.value !== current.value ? entry.credential : entry?.previous;
    return { current: current?.value, previous: previous?.value };
  }

  /** Resolves once no fetch or refresh is under way in this process (tests, shutdown); bounded. */
  async settle(): Promise<void> {
    while (this.inflight.size) {
      await Promise.allSettled([...this.inflight.values()].map((flight) => this.bounded(flight)));
      for (const [key, flight] of this.inflight) if (this.now() >= flight.deadline) this.inflight.delete(key);
    }
  }

  /** A fetch a caller waits for: subject to the failure cooldown. */
  private foreground(key: string, work: () => Promise<StoredCredential>): Promise<StoredCredential> {
    const failure = this.failures.get(key);
    if (failure && this.now() < failure.until && !this.joinable(key)) return Promise.reject(failure.error);
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

  /** One fetch per key in this process: callers join the running one, within its deadline. */
  private flight(key: string, work: () => Promise<StoredCredential>): Promise<StoredCredential> {
    const running = this.joinable(key);
    if (running) return this.bounded(running);
    const promise = work().finally(() => {
      if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
    });
    const flight = { promise, deadline: this.now() + this.timing.inflightDeadlineMs };
    this.inflight.set(key, flight);
    return this.bounded(flight);
  }

  private joinable(key: string): Flight | undefined {
    const flight = this.inflight.get(key);
    return flight && !flight.expired && this.now() < flight.deadline ? flight : undefined;
  }

  /** The flight's result, or WechatUnavailableError once its deadline passes. */
  private bounded(flight: Flight): Promise<StoredCredential> {
    const left = flight.deadline - this.now();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          // timers and the clock may disagree by a millisecond: once declared over, a flight is never joined again
          flight.expired = true;
          reject(new WechatUnavailableError('credential refresh', 'the refresh in progress did not finish in time'));
        },
        Math.max(0, left),
      );
      timer.unref();
    });
    return Promise.race([flight.promise, expired]).finally(() => clearTimeout(timer));
  }

  private async load(key: string, fetcher: CredentialFetcher): Promise<StoredCredential> {
    const shared = await this.readShared(key);
    const hit = isUsable(shared, this.now());
    this.events.cacheLookup(credentialName(key), 'shared', hit, appIdOfKey(key));
    if (hit) return this.remember(key, shared);
    return this.fetchUnderLock(
      key,
      () => fetcher(),
      (c): c is StoredCredential => isUsable(c, this.now()),
    );
  }

  private refreshInBackground(key: string, entry: MemoryEntry, fetcher: CredentialFetcher): void {
    entry.nextBackgroundAt = this.now() + this.timing.backgroundRetryMs;
    if (this.joinable(key)) return;
    const current = entry.credential;
    const newer = (c: StoredCredential | undefined): c is StoredCredential =>
      !!c && c.expiresAt > current.expiresAt && isUsable(c, this.now());
    void this.flight(key, async () => {
      const shared = await this.readShared(key);
      if (newer(shared)) return this.remember(key, shared);
      return this.fetchUnderLock(key, () => fetcher(), newer, current);
    }).catch((error: Error) => this.logger.warn(`background refresh of ${credentialName(key)} failed: ${error.message}`));
  }

  /**
   * Fetches under the cluster-wide lock; a value `acceptable` found after taking the lock (or
   * while another holder fetches) is used instead. With `fallback` (a background refresh), a
   * lock held elsewhere means someone else refreshes: keep `fallback` and do not wait.
   */
  private fetchUnderLock(
    key: string,
    fetch: () => Promise<FetchedCredential>,
    acceptable: (c: StoredCredential | undefined) => c is StoredCredential,
    fallback?: StoredCredential,
  ): Promise<StoredCredential> {
    return produceOnce(this.store, {
      lockKey: `${key}:lock`,
      lockTtlMs: this.timing.lockTtlMs,
      deadline: this.now() + this.timing.waitBudgetMs,
      pollIntervalMs: this.timing.pollIntervalMs,
      now: this.now,
      find: async () => {
        const seen = await this.readShared(key);
        return acceptable(seen) ? this.remember(key, seen) : undefined;
      },
      produce: async () => {
        const fetched = await this.timedFetch(key, fetch);
        const credential = toStoredCredential(fetched.value, fetched.expiresInSec, this.now());
        await this.writeShared(key, credential);
        return this.remember(key, credential);
      },
      whenBusy: fallback ? () => fallback : undefined,
      timedOut: () => new WechatUnavailableError('credential refresh', 'timed out waiting for another instance to refresh'),
    });
  }

  private async timedFetch(key: string, fetch: () => Promise<FetchedCredential>): Promise<FetchedCredential> {
    const started = performance.now();
    try {
      const fetched = await fetch();
      this.events.credentialRefresh(credentialName(key), true, performance.now() - started, appIdOfKey(key));
      return fetched;
    } catch (error) {
      this.events.credentialRefresh(credentialName(key), false, performance.now() - started, appIdOfKey(key));
      throw error;
    }
  }

  private remember(key: string, credential: StoredCredential): StoredCredential {
    const { usableUntil, refreshAt } = credentialWindows(credential);
    const before = this.memory.get(key);
    this.memory.set(key, {
      name: credentialName(key),
      appId: appIdOfKey(key),
      credential,
      previous: before && before.credential.value !== credential.value ? before.credential : before?.previous,
      usableUntil,
      refreshAt,
      nextBackgroundAt: 0,
    });
    return credential;
  }

  private async readShared(key: string): Promise<StoredCredential | undefined> {
    try {
      const value = await this.store.get(key);
      return isStoredCredential(value) ? value : undefined;
    } catch (error) {
      this.storeTrouble('read', error);
      return undefined;
    }
  }

  private async writeShared(key: string, credential: StoredCredential): Promise<void> {
    try {
      await this.store.set(key, credential, sharedTtlMs(credential, this.now()));
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

/** The account of a credential key (its hash tag); '' for keys without one. */
function appIdOfKey(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : '';
}

/** The key's last segment says which credential it is (access_token, jsapi_ticket, ...). */
function credentialName(key: string): string {
  return key.slice(key.lastIndexOf(':') + 1);
}
