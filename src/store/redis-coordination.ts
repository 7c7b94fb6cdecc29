import type { RedisGuard } from './redis-guard.js';
import { newLockOwner } from './local-coordination.js';
import type { RedisConnection } from './redis-connection.js';
import { EXTEND_LOCK, HIT_WINDOW, RELEASE_LOCK } from './redis-scripts.js';
import type { StoreHit, StoreLock } from '../core/wechat-store.js';

/** Locks and counters on Redis, every command bounded by the guard: the one place that locks. */
export class RedisCoordination {
  constructor(
    readonly connection: RedisConnection,
    readonly guard: RedisGuard,
  ) {}

  /** SET NX PX with a random owner; release and extend act only while that owner holds it. */
  async lock(key: string, ttlMs: number): Promise<StoreLock | null> {
    const { commands } = this.connection;
    const owner = newLockOwner();
    const taken = await this.guard.run(() => commands.set(key, owner, { NX: true, PX: Math.ceil(ttlMs) }));
    if (taken !== 'OK') return null;
    return {
      release: () =>
        this.guard
          .run(() => commands.eval(RELEASE_LOCK, { keys: [key], arguments: [owner] }))
          .then(
            () => undefined,
            () => undefined,
          ),
      extend: (ms) =>
        this.guard
          .run(() => commands.eval(EXTEND_LOCK, { keys: [key], arguments: [owner, String(Math.ceil(ms))] }))
          .then(
            (n) => Number(n) === 1,
            () => false,
          ),
    };
  }

  async isLocked(key: string): Promise<boolean> {
    return (await this.guard.run(() => this.connection.commands.exists(key))) === 1;
  }

  async hit(key: string, windowMs: number, by = 1): Promise<StoreHit> {
    const [count, resetMs] = (await this.guard.run(() =>
      this.connection.commands.eval(HIT_WINDOW, {
        keys: [key],
        arguments: [String(Math.ceil(windowMs)), String(Math.trunc(by))],
      }),
    )) as [number, number];
    return { count: Number(count), resetMs: Number(resetMs) };
  }
}
