import { Inject, Injectable } from '@nestjs/common';
import { asHttpProblem, HttpProblem } from '../common/http-problem.js';
import { produceOnce } from '../store/produce-once.js';
import { WECHAT_STORE, type WechatStore } from '../store/wechat-store.js';
import { WechatAccounts } from '../accounts/wechat-accounts.js';
import { MediaDownloader } from './media-downloader.js';
import { assertMediaId } from './media-id.js';
import type { MediaOwner, MediaRecord } from './media-record.js';
import { MEDIA_STORAGE, type MediaStorage, type StoredMedia } from './media-storage.js';
import { MEDIA_OPTIONS, type ResolvedMediaOptions } from './media.options.js';

export interface MediaSaveOptions {
  /** a JS-SDK voice in HD (16 kHz speex, cgi-bin/media/get/jssdk); only the first save of an id counts */
  hd?: boolean;
  /** who saves it; with `access: 'owner'` only they can read it back. Omitted: a trusted server-side call. */
  owner?: MediaOwner;
  /** the Official Account the media id belongs to; default: the default account */
  appId?: string;
}

export interface MediaSaveResult {
  record: MediaRecord;
  /** true when this call downloaded it; false when it was already saved (WeChat not called) */
  created: boolean;
}

interface AccountScope {
  appId: string;
  storage: MediaStorage;
  /** the key of a save in flight in this process */
  flight: (mediaId: string) => string;
}

const notFound = () => new HttpProblem(404, 'MEDIA_NOT_FOUND', 'this media id has not been saved');

/**
 * Keeps WeChat's temporary media (3 days) for good. A media id is downloaded once: saved ids are
 * answered from storage, concurrent saves in this process share one download, and across
 * instances the store's lock lets one download while the others wait (bounded) for its record.
 * A saved media belongs to the account and user that saved it: to anyone else it does not exist.
 */
@Injectable()
export class MediaService {
  private readonly inflight = new Map<string, Promise<MediaSaveResult>>();

  constructor(
    @Inject(MEDIA_STORAGE) private readonly storage: MediaStorage,
    private readonly downloader: MediaDownloader,
    @Inject(WECHAT_STORE) private readonly store: WechatStore,
    @Inject(MEDIA_OPTIONS) private readonly options: ResolvedMediaOptions,
    private readonly accounts: WechatAccounts,
  ) {}

  async save(mediaId: string, options: MediaSaveOptions = {}): Promise<MediaSaveResult> {
    try {
      return await this.saveChecked(mediaId, options);
    } catch (error) {
      throw asHttpProblem(error);
    }
  }

  private async saveChecked(mediaId: string, options: MediaSaveOptions): Promise<MediaSaveResult> {
    assertMediaId(mediaId);
    const scope = this.scopeOf(options.appId);
    const result = (await this.joinOrFind(mediaId, scope)) ?? (await this.startSave(mediaId, options, scope));
    if (!this.mayAccess(result.record, options.owner)) throw notFound();
    return result;
  }

  /** The record of a saved media of `appId` (default account), or undefined (also when `owner` may not see it). */
  async find(mediaId: string, owner?: MediaOwner, appId?: string): Promise<MediaRecord | undefined> {
    assertMediaId(mediaId);
    const record = await this.scopeOf(appId).storage.stat(mediaId);
    return record && this.mayAccess(record, owner) ? record : undefined;
  }

  /** The saved bytes and record; 404 `MEDIA_NOT_FOUND` when not saved (or not `owner`'s). */
  async open(mediaId: string, owner?: MediaOwner, appId?: string): Promise<StoredMedia> {
    assertMediaId(mediaId);
    const stored = await this.scopeOf(appId).storage.open(mediaId);
    if (!stored) throw notFound();
    if (!this.mayAccess(stored.record, owner)) {
      stored.body.destroy();
      throw notFound();
    }
    return stored;
  }

  private mayAccess(record: MediaRecord, owner: MediaOwner | undefined): boolean {
    if (!owner || this.options.access === 'shared') return true;
    return record.owner?.appId === owner.appId && record.owner.openid === owner.openid;
  }

  /** The account's storage (its own when the storage can tell accounts apart) and its in-flight key. */
  private scopeOf(appId: string | undefined): AccountScope {
    const account = this.accounts.get(appId);
    const isDefault = account === this.accounts.default;
    return {
      appId: account.appId,
      storage: isDefault ? this.storage : (this.storage.forAccount?.(account.appId) ?? this.storage),
      flight: (mediaId) => (isDefault ? mediaId : `${account.appId}/${mediaId}`),
    };
  }

  private startSave(mediaId: string, options: MediaSaveOptions, scope: AccountScope): Promise<MediaSaveResult> {
    const key = scope.flight(mediaId);
    const flight = this.saveUnderLock(mediaId, options, scope).finally(() => this.inflight.delete(key));
    this.inflight.set(key, flight);
    return flight;
  }

  /** A save already running here, or the stored record; undefined when the work is ours to do. */
  private async joinOrFind(mediaId: string, scope: AccountScope): Promise<MediaSaveResult | undefined> {
    const key = scope.flight(mediaId);
    const running = this.inflight.get(key);
    if (running) return { record: (await running).record, created: false };
    const stored = await scope.storage.stat(mediaId);
    if (stored) return { record: stored, created: false };
    // looked again after the await: a save may have started meanwhile
    const started = this.inflight.get(key);
    return started ? { record: (await started).record, created: false } : undefined;
  }

  private saveUnderLock(mediaId: string, options: MediaSaveOptions, scope: AccountScope): Promise<MediaSaveResult> {
    const { storage, appId } = scope;
    return produceOnce<MediaSaveResult>(this.store, {
      lockKey: this.options.lockKey(mediaId, appId),
      lockTtlMs: this.options.lockTtlMs,
      // a large download may outlast the lock's lifetime: it is extended while the download runs
      keepAlive: true,
      deadline: Date.now() + this.options.waitTimeoutMs,
      pollIntervalMs: this.options.pollIntervalMs,
      find: async () => {
        const stored = await storage.stat(mediaId);
        return stored ? { record: stored, created: false } : undefined;
      },
      produce: async () => ({
        record: await this.downloader.download(mediaId, { hd: options.hd === true, owner: options.owner, appId, storage }),
        created: true,
      }),
      timedOut: () => new HttpProblem(503, 'MEDIA_BUSY', 'another instance is still saving this media; try again shortly'),
    });
  }
}
