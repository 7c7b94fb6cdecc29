import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../wechat/credentials/cache-manager.store.js';

// Both act only while the caller still owns the lock, atomically.
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const EXTEND_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

export interface MediaLease {
  release(): Promise<void>;
}

const UNGUARDED: MediaLease = { release: async () => undefined };

/**
 * The cluster-wide "one download per media id" lock: SET NX PX in Redis, extended while its
 * download runs, released only by its owner. Without Redis (or while it is down) every caller
 * gets a lease: the in-process single flight and the storage's atomic create then guard alone.
 */
export class MediaLock {
  private readonly logger = new Logger('MediaLock');
  private lastWarning = 0;

  constructor(
    private readonly redis: RedisClient | null,
    private readonly keyOf: (mediaId: string) => string,
    private readonly ttlMs: number,
  ) {}

  /** A lease to download `mediaId`, or null while another instance holds it. */
  async acquire(mediaId: string): Promise<MediaLease | null> {
    if (!this.redis) return UNGUARDED;
    const key = this.keyOf(mediaId);
    const owner = randomBytes(12).toString('hex');
    try {
      const taken = await this.redis.set(key, owner, { NX: true, PX: this.ttlMs });
      return taken === 'OK' ? this.lease(this.redis, key, owner) : null;
    } catch (error) {
      this.warn(error);
      return UNGUARDED;
    }
  }

  async isHeld(mediaId: string): Promise<boolean> {
    if (!this.redis) return false;
    try {
      return (await this.redis.exists(this.keyOf(mediaId))) === 1;
    } catch {
      return false;
    }
  }

  private lease(redis: RedisClient, key: string, owner: string): MediaLease {
    // a large download may outlast the TTL: extend it while we still work
    const timer = setInterval(() => {
      void redis.eval(EXTEND_SCRIPT, { keys: [key], arguments: [owner, String(this.ttlMs)] }).catch(() => undefined);
    }, Math.max(1000, Math.floor(this.ttlMs / 3)));
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        await redis.eval(RELEASE_SCRIPT, { keys: [key], arguments: [owner] }).catch(() => undefined);
      },
    };
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning < 5000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`Redis lock unavailable (${(error as Error).message}); saving without the cluster lock`);
  }
}

/** `{prefix}{appId}:media:{mediaId}:lock`, beside the account's credential keys. */
export function mediaLockKey(keyPrefix: string, appId: string): (mediaId: string) => string {
  return (mediaId) => `${keyPrefix}${appId}:media:${mediaId}:lock`;
}
