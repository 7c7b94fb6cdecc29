/** A lock taken with SET NX PX: only its owner can extend or release it. */
export interface StoreLock {
  /** Gives the lock up, when this owner still holds it. Never throws. */
  release(): Promise<void>;
  /** Pushes the expiry out to `ttlMs` from now; false when the lock was lost meanwhile. */
  extend(ttlMs: number): Promise<boolean>;
}

/** A fixed-window counter after one more hit. */
export interface StoreHit {
  count: number;
  /** ms until the window ends */
  resetMs: number;
}

/**
 * The one shared store of the service: values with an expiry, owner-checked locks and
 * counters, shared by every instance (Redis) or kept in this process (one instance). Every
 * operation is bounded in time; a store that cannot answer, or refuses, rejects (a Problem of status 503).
 */
export interface WechatStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<unknown>;
  /** Stores a JSON-serialisable value for `ttlMs` (at least 1 ms). */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** SET NX PX: the lock when taken, null while someone else holds it. */
  lock(key: string, ttlMs: number): Promise<StoreLock | null>;
  isLocked(key: string): Promise<boolean>;
  /**
   * Counts one hit in the window of `key` (the first hit opens a window of `windowMs`); `by`
   * (default 1) counts several at once, or gives hits back when negative.
   */
  hit(key: string, windowMs: number, by?: number): Promise<StoreHit>;
  /** true when the store answers right now */
  ping(): Promise<boolean>;
  /** Releases what the store opened itself (never a client or cache a host handed in). */
  close(): Promise<void>;
}

/** Injection token of the WechatStore in use. */
export const WECHAT_STORE = Symbol('WECHAT_STORE');

/** What a store's methods answer, under the store's own name (`WechatStore.Lock`, `WechatStore.Hit`) for hosts that write one. */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace WechatStore {
  export type Lock = StoreLock;
  export type Hit = StoreHit;
}
