import type { WechatStore } from '../../core/wechat-store.js';

type Done = (error?: unknown, value?: unknown) => void;

/** The callback store interface that @fastify/session and express-session both speak. */
export interface CallbackSessionStore {
  get(sid: string, done: Done): void;
  set(sid: string, session: object, done: Done): void;
  destroy(sid: string, done: Done): void;
}

/** A session whose cookie carries no expiry lives this long in the store. */
const DEFAULT_TTL_MS = 24 * 3600_000;

/**
 * Sessions as JSON values of the shared store, each expiring with its cookie: wherever the store
 * lives (Redis of any topology, a host's client, cache or store of its own, or this process), the
 * sessions live there too, and every operation is bounded like the store's own.
 */
export class StoreSessionStore implements CallbackSessionStore {
  constructor(
    private readonly store: WechatStore,
    private readonly prefix: string,
  ) {}

  get(sid: string, done: Done): void {
    this.store.get(this.prefix + sid).then((value) => done(null, value ?? undefined), done);
  }

  set(sid: string, session: object, done: Done): void {
    // a copy: the live session object goes on changing after it was saved
    const copy = JSON.parse(JSON.stringify(session)) as { cookie?: { expires?: string } };
    const expires = copy.cookie?.expires ? Date.parse(copy.cookie.expires) - Date.now() : DEFAULT_TTL_MS;
    this.store.set(this.prefix + sid, copy, Math.max(1000, expires)).then(() => done(), done);
  }

  destroy(sid: string, done: Done): void {
    this.store.delete(this.prefix + sid).then(() => done(), done);
  }
}
