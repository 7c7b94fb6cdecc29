import { accountKey } from '../account-keys.js';
import { produceOnce } from '../produce-once.js';
import { Problem } from '../problem.js';
import type { WechatStore } from '../wechat-store.js';

/** An Official Account that authorized the platform, as the platform keeps it. */
export interface AuthorizerRecord {
  authorizerAppId: string;
  /** the current refresh token: WeChat gives another only through a new authorization */
  refreshToken: string;
  /** ids of the permission sets granted */
  permissionSets: number[];
  /** ISO 8601 time of the (last) authorization */
  authorizedAt: string;
  /** WeChat refused the refresh token (61023): the account's admin must authorize again */
  needsAuthorization?: true;
}

/**
 * Where the authorizers' refresh tokens live. They must outlast any cache: a lost one can only be
 * replaced by the account's admin authorizing again. A host may keep them in its own database.
 */
export interface AuthorizerRepository {
  load(authorizerAppId: string): Promise<AuthorizerRecord | undefined>;
  save(record: AuthorizerRecord): Promise<void>;
  remove(authorizerAppId: string): Promise<void>;
  list(): Promise<AuthorizerRecord[]>;
}

/** "Without expiry" in a store whose every value has one: ten years. */
const LASTING_MS = 10 * 365 * 24 * 3600_000;
const INDEX_LOCK_MS = 5_000;

function isRecord(value: unknown): value is AuthorizerRecord {
  const r = value as AuthorizerRecord | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.authorizerAppId === 'string' &&
    typeof r.refreshToken === 'string' &&
    r.refreshToken !== '' &&
    Array.isArray(r.permissionSets) &&
    typeof r.authorizedAt === 'string'
  );
}

/**
 * The authorizers in the shared store, without expiry: one value per authorizer and an index of
 * their appIds, changed under a lock so that two instances adding at once keep both.
 */
export class StoreAuthorizers implements AuthorizerRepository {
  constructor(
    private readonly store: WechatStore,
    private readonly keyPrefix: string,
    private readonly componentAppId: string,
  ) {}

  async load(authorizerAppId: string): Promise<AuthorizerRecord | undefined> {
    const value = await this.store.get(this.recordKey(authorizerAppId));
    return isRecord(value) && value.authorizerAppId === authorizerAppId ? value : undefined;
  }

  async save(record: AuthorizerRecord): Promise<void> {
    await this.store.set(this.recordKey(record.authorizerAppId), record, LASTING_MS);
    await this.changeIndex((ids) => (ids.includes(record.authorizerAppId) ? ids : [...ids, record.authorizerAppId]));
  }

  async remove(authorizerAppId: string): Promise<void> {
    await this.store.delete(this.recordKey(authorizerAppId));
    await this.changeIndex((ids) => ids.filter((id) => id !== authorizerAppId));
  }

  async list(): Promise<AuthorizerRecord[]> {
    const records = await Promise.all((await this.index()).map((id) => this.load(id)));
    return records.filter((r): r is AuthorizerRecord => r !== undefined);
  }

  private async index(): Promise<string[]> {
    const value = await this.store.get(this.indexKey());
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  }

  private changeIndex(change: (ids: string[]) => string[]): Promise<void> {
    return produceOnce(this.store, {
      lockKey: `${this.indexKey()}:lock`,
      lockTtlMs: INDEX_LOCK_MS,
      deadline: Date.now() + INDEX_LOCK_MS,
      pollIntervalMs: 10,
      // never someone else's result: each change is made under the lock in turn
      find: async () => undefined,
      produce: async () => {
        const before = await this.index();
        const after = change(before);
        if (after !== before) await this.store.set(this.indexKey(), after, LASTING_MS);
      },
      timedOut: () => new Problem(503, 'STORE_UNAVAILABLE', 'the list of authorizers is locked by another instance'),
    });
  }

  private recordKey(authorizerAppId: string): string {
    return accountKey(this.keyPrefix, this.componentAppId, `authorizer:${authorizerAppId}`);
  }

  private indexKey(): string {
    return accountKey(this.keyPrefix, this.componentAppId, 'authorizers');
  }
}
