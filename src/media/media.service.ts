import { Inject, Injectable } from '@nestjs/common';
import { HttpProblem } from '../common/http-problem.js';
import { delay } from '../wechat/api/retry-policy.js';
import { MediaDownloader } from './media-downloader.js';
import { assertMediaId } from './media-id.js';
import { MediaLock } from './media-lock.js';
import type { MediaRecord } from './media-record.js';
import { MEDIA_STORAGE, type MediaStorage, type StoredMedia } from './media-storage.js';
import { MEDIA_OPTIONS, type ResolvedMediaOptions } from './media.options.js';

export interface MediaSaveOptions {
  /** a JS-SDK voice in HD (16 kHz speex, cgi-bin/media/get/jssdk); only the first save of an id counts */
  hd?: boolean;
}

export interface MediaSaveResult {
  record: MediaRecord;
  /** true when this call downloaded it; false when it was already saved (WeChat not called) */
  created: boolean;
}

/**
 * Keeps WeChat's temporary media (3 days) for good. A media id is downloaded once: saved ids are
 * answered from storage, concurrent saves in this process share one download, and across
 * instances a Redis lock lets one download while the others wait (bounded) for its record.
 */
@Injectable()
export class MediaService {
  private readonly inflight = new Map<string, Promise<MediaSaveResult>>();

  constructor(
    @Inject(MEDIA_STORAGE) private readonly storage: MediaStorage,
    private readonly downloader: MediaDownloader,
    private readonly lock: MediaLock,
    @Inject(MEDIA_OPTIONS) private readonly options: ResolvedMediaOptions,
  ) {}

  async save(mediaId: string, options: MediaSaveOptions = {}): Promise<MediaSaveResult> {
    assertMediaId(mediaId);
    const joined = await this.joinOrFind(mediaId);
    if (joined) return joined;
    const flight = this.saveUnderLock(mediaId, options.hd === true).finally(() => this.inflight.delete(mediaId));
    this.inflight.set(mediaId, flight);
    return flight;
  }

  /** The record of a saved media, or undefined. */
  async find(mediaId: string): Promise<MediaRecord | undefined> {
    assertMediaId(mediaId);
    return this.storage.stat(mediaId);
  }

  /** The saved bytes and record; 404 `MEDIA_NOT_FOUND` when the id was not saved. */
  async open(mediaId: string): Promise<StoredMedia> {
    assertMediaId(mediaId);
    const stored = await this.storage.open(mediaId);
    if (!stored) throw new HttpProblem(404, 'MEDIA_NOT_FOUND', 'this media id has not been saved');
    return stored;
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

  private async saveUnderLock(mediaId: string, hd: boolean): Promise<MediaSaveResult> {
    const deadline = Date.now() + this.options.waitTimeoutMs;
    for (;;) {
      const lease = await this.lock.acquire(mediaId);
      if (lease) {
        try {
          // another instance may have finished just before we got the lock
          const stored = await this.storage.stat(mediaId);
          if (stored) return { record: stored, created: false };
          return { record: await this.downloader.download(mediaId, hd), created: true };
        } finally {
          await lease.release();
        }
      }
      const seen = await this.waitForOtherInstance(mediaId, deadline);
      if (seen) return { record: seen, created: false };
      if (Date.now() >= deadline) {
        throw new HttpProblem(503, 'MEDIA_BUSY', 'another instance is still saving this media; try again shortly');
      }
    }
  }

  /** Polls storage until the record appears, the other instance lets go of the lock, or the deadline passes. */
  private async waitForOtherInstance(mediaId: string, deadline: number): Promise<MediaRecord | undefined> {
    while (Date.now() < deadline) {
      await delay(this.options.pollIntervalMs);
      const seen = await this.storage.stat(mediaId);
      if (seen) return seen;
      if (!(await this.lock.isHeld(mediaId))) return undefined;
    }
    return undefined;
  }
}
