import { Inject, Injectable } from '@nestjs/common';
import { HttpProblem } from '../common/http-problem.js';
import { produceOnce } from '../store/produce-once.js';
import { WECHAT_STORE, type WechatStore } from '../store/wechat-store.js';
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
}

export interface MediaSaveResult {
  record: MediaRecord;
  /** true when this call downloaded it; false when it was already saved (WeChat not called) */
  created: boolean;
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
  ) {}

  async save(mediaId: string, options: MediaSaveOptions = {}): Promise<MediaSaveResult> {
    assertMediaId(mediaId);
    const result = (await this.joinOrFind(mediaId)) ?? (await this.startSave(mediaId, options));
    if (!this.mayAccess(result.record, options.owner)) throw notFound();
    return result;
  }

  /** The record of a saved media, or undefined (also when `owner` may not see it). */
  async find(mediaId: string, owner?: MediaOwner): Promise<MediaRecord | undefined> {
    assertMediaId(mediaId);
    const record = await this.storage.stat(mediaId);
    return record && this.mayAccess(record, owner) ? record : undefined;
  }

  /** The saved bytes and record; 404 `MEDIA_NOT_FOUND` when not saved (or not `owner`'s). */
  async open(mediaId: string, owner?: MediaOwner): Promise<StoredMedia> {
    assertMediaId(mediaId);
    const stored = await this.storage.open(mediaId);
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

  private startSave(mediaId: string, options: MediaSaveOptions): Promise<MediaSaveResult> {
    const flight = this.saveUnderLock(mediaId, options).finally(() => this.inflight.delete(mediaId));
    this.inflight.set(mediaId, flight);
    return flight;
  }

  /** A save already running here, or the stored record; undefined when the work is ours to do. */
  private async joinOrFind(mediaId: string): Promise<MediaSaveResult | undefined> {
    const running = this.inflight.get(mediaId);
    if (running) return { record: (await running).record, created: false };
    const stored = await this.storage.stat(mediaId);
    if (stored) return { record: stored, created: false };
    // looked again after the await: a save may have started meanwhile
    const started = this.inflight.get(mediaId);
    return started ? { record: (await started).record, created: false } : undefined;
  }

  private saveUnderLock(mediaId: string, options: MediaSaveOptions): Promise<MediaSaveResult> {
    return produceOnce<MediaSaveResult>(this.store, {
      lockKey: this.options.lockKey(mediaId),
      lockTtlMs: this.options.lockTtlMs,
      // a large download may outlast the lock's lifetime: it is extended while the download runs
      keepAlive: true,
      deadline: Date.now() + this.options.waitTimeoutMs,
      pollIntervalMs: this.options.pollIntervalMs,
      find: async () => {
        const stored = await this.storage.stat(mediaId);
        return stored ? { record: stored, created: false } : undefined;
      },
      produce: async () => ({ record: await this.downloader.download(mediaId, options.hd === true, options.owner), created: true }),
      timedOut: () => new HttpProblem(503, 'MEDIA_BUSY', 'another instance is still saving this media; try again shortly'),
    });
  }
}
