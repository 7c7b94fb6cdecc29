import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { pipeline } from 'node:stream';
import { asHttpProblem, HttpProblem } from '../common/http-problem.js';
import { produceOnce } from '../store/produce-once.js';
import { WECHAT_STORE, type WechatStore } from '../store/wechat-store.js';
import { WechatAccounts } from '../accounts/wechat-accounts.js';
import type { ByteRange } from './byte-range.js';
import { MediaDownloader, mediaTooLarge } from './media-downloader.js';
import { MediaMeter } from './media-meter.js';
import { assertMediaId } from './media-id.js';
import type { MediaOwner, MediaRecord } from './media-record.js';
import { MEDIA_STORAGE, type MediaRendition, type MediaStorage, type StoredMedia } from './media-storage.js';
import { isVoice, TranscodeError } from './voice-transcoder.js';
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

/** 404 `MEDIA_NOT_FOUND`: the id is not saved here, or not for this user. */
export const mediaNotFound = () => new HttpProblem(404, 'MEDIA_NOT_FOUND', 'this media id has not been saved');
const unavailable = (why: string) =>
  new HttpProblem(415, 'FORMAT_UNAVAILABLE', `no mp3 of this media: ${why}; the original is still served`);
/** a user's count of saved media lives as long as their media: practically for ever */
const QUOTA_WINDOW_MS = 10 * 365 * 24 * 3600_000;

export interface MediaOpenOptions {
  /** the rendition instead of the original */
  format?: MediaRendition;
  /** only these bytes */
  range?: ByteRange;
}

/**
 * Keeps WeChat's temporary media (3 days) for good. A media id is downloaded once: saved ids are
 * answered from storage, concurrent saves in this process share one download, and across
 * instances the store's lock lets one download while the others wait (bounded) for its record.
 * A saved media belongs to the account and user that saved it: to anyone else it does not exist.
 */
@Injectable()
export class MediaService implements OnApplicationBootstrap {
  private readonly logger = new Logger('MediaService');
  private readonly inflight = new Map<string, Promise<MediaSaveResult>>();
  private readonly transcoding = new Map<string, Promise<MediaRecord>>();

  constructor(
    @Inject(MEDIA_STORAGE) private readonly storage: MediaStorage,
    private readonly downloader: MediaDownloader,
    @Inject(WECHAT_STORE) private readonly store: WechatStore,
    @Inject(MEDIA_OPTIONS) private readonly options: ResolvedMediaOptions,
    private readonly accounts: WechatAccounts,
  ) {}

  /** Says at start-up whether `?format=mp3` can work here. */
  async onApplicationBootstrap(): Promise<void> {
    const { transcoder } = this.options;
    if (!transcoder) return this.logger.log('voice transcoding: off (?format=mp3 answers 415 FORMAT_UNAVAILABLE)');
    const version = await transcoder.version();
    if (version) this.logger.log(`voice transcoding: available (${version.split(' ').slice(0, 3).join(' ')})`);
    else
      this.logger.warn(
        `voice transcoding: unavailable, ${transcoder.ffmpegPath} cannot be run (?format=mp3 answers 415 FORMAT_UNAVAILABLE)`,
      );
  }

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
    if (!this.mayAccess(result.record, options.owner)) throw mediaNotFound();
    return result;
  }

  /** The record of a saved media of `appId` (default account), or undefined (also when `owner` may not see it). */
  async find(mediaId: string, owner?: MediaOwner, appId?: string): Promise<MediaRecord | undefined> {
    assertMediaId(mediaId);
    const record = await this.scopeOf(appId).storage.stat(mediaId);
    return record && this.mayAccess(record, owner) ? record : undefined;
  }

  /**
   * The saved bytes (all, or a range) and record of the media or of its rendition; 404
   * `MEDIA_NOT_FOUND` when not saved (or not `owner`'s). A rendition must have been made first
   * (`rendition()`).
   */
  async open(mediaId: string, owner?: MediaOwner, appId?: string, options: MediaOpenOptions = {}): Promise<StoredMedia> {
    assertMediaId(mediaId);
    const { storage } = this.scopeOf(appId);
    const from = options.format ? storage.rendition?.(options.format) : storage;
    const stored = await from?.open(mediaId, options.range ? { range: options.range } : {});
    if (!stored) throw mediaNotFound();
    if (!this.mayAccess(stored.record, owner)) {
      stored.body.destroy();
      throw mediaNotFound();
    }
    return stored;
  }

  /**
   * The record of the media's mp3, made now with ffmpeg when it was not made before: once per
   * media across instances (the same lock and first-save-wins rules as a save), kept beside the
   * original. 404 as for `find`; 415 `FORMAT_UNAVAILABLE` when the media is no voice, the storage
   * keeps no renditions, ffmpeg is missing or cannot decode it; 503 `TRANSCODE_TIMEOUT` past the
   * time bound; 413 `MEDIA_TOO_LARGE` when the mp3 would pass the size limit.
   */
  async rendition(mediaId: string, format: MediaRendition, owner?: MediaOwner, appId?: string): Promise<MediaRecord> {
    try {
      return await this.renditionChecked(mediaId, format, owner, appId);
    } catch (error) {
      throw asHttpProblem(error);
    }
  }

  private async renditionChecked(
    mediaId: string,
    format: MediaRendition,
    owner?: MediaOwner,
    appId?: string,
  ): Promise<MediaRecord> {
    assertMediaId(mediaId);
    const scope = this.scopeOf(appId);
    const original = await scope.storage.stat(mediaId);
    if (!original || !this.mayAccess(original, owner)) throw mediaNotFound();
    if (!isVoice(original.contentType)) throw unavailable(`only a voice has one (this is ${original.contentType})`);
    const renditions = scope.storage.rendition?.(format);
    if (!renditions) throw unavailable('the media storage keeps no renditions');
    const made = await renditions.stat(mediaId);
    if (made) return made;
    const { transcoder } = this.options;
    if (!transcoder || !(await transcoder.version())) throw unavailable('ffmpeg is not available on this server');
    const key = `${format}:${scope.flight(mediaId)}`;
    let flight = this.transcoding.get(key);
    if (!flight) {
      flight = this.transcodeUnderLock(mediaId, original, scope, renditions).finally(() => this.transcoding.delete(key));
      this.transcoding.set(key, flight);
    }
    return flight;
  }

  /**
   * Runs a save that will create a media, counted against its user's quota: the count is taken
   * first (so concurrent saves cannot pass the limit together) and given back when over the
   * limit or when the save fails.
   */
  private async withinQuota<T>(owner: MediaOwner | undefined, appId: string, save: () => Promise<T>): Promise<T> {
    const { maxPerUser } = this.options;
    if (!owner || maxPerUser === 0) return save();
    const key = this.options.quotaKey(owner.openid, appId);
    const { count } = await this.store.hit(key, QUOTA_WINDOW_MS);
    const giveBack = () => this.store.hit(key, QUOTA_WINDOW_MS, -1).catch(() => undefined);
    if (count > maxPerUser) {
      await giveBack();
      throw new HttpProblem(429, 'MEDIA_QUOTA_EXCEEDED', `this user has saved the most media allowed (${maxPerUser})`, {
        maxPerUser,
      });
    }
    try {
      return await save();
    } catch (error) {
      await giveBack();
      throw error;
    }
  }

  private transcodeUnderLock(
    mediaId: string,
    original: MediaRecord,
    scope: AccountScope,
    renditions: MediaStorage,
  ): Promise<MediaRecord> {
    return produceOnce<MediaRecord>(this.store, {
      lockKey: this.options.lockKey(`${mediaId}:mp3`, scope.appId),
      lockTtlMs: this.options.lockTtlMs,
      keepAlive: true,
      // the wait covers a whole transcoding on another instance
      deadline: Date.now() + this.options.waitTimeoutMs + (this.options.transcoder?.timeoutMs ?? 0),
      pollIntervalMs: this.options.pollIntervalMs,
      find: () => renditions.stat(mediaId),
      produce: () => this.transcode(mediaId, original, scope.storage, renditions),
      timedOut: () => new HttpProblem(503, 'MEDIA_BUSY', 'another instance is still making this mp3; try again shortly'),
    });
  }

  private async transcode(
    mediaId: string,
    original: MediaRecord,
    storage: MediaStorage,
    renditions: MediaStorage,
  ): Promise<MediaRecord> {
    const transcoder = this.options.transcoder;
    const source = await storage.open(mediaId);
    if (!transcoder || !source) throw mediaNotFound();
    const started = Date.now();
    const meter = new MediaMeter(this.options.maxBytes);
    const mp3 = transcoder.toMp3(source.body);
    const metered = pipeline(mp3, meter, () => undefined);
    const named = original.filename !== undefined ? { filename: `${original.filename.replace(/\.[^.]*$/, '')}.mp3` } : {};
    const owned = original.owner ? { owner: original.owner } : {};
    try {
      const record = await renditions.save(mediaId, metered, {
        contentType: 'audio/mpeg',
        ...named,
        record: () => ({
          mediaId,
          contentType: 'audio/mpeg',
          ...meter.measured(),
          savedAt: new Date().toISOString(),
          ...named,
          ...owned,
        }),
      });
      this.logger.log(
        `made an mp3 of a ${original.contentType} voice (${original.size} → ${record.size} bytes, ${Date.now() - started} ms)`,
      );
      return record;
    } catch (error) {
      mp3.destroy();
      if (meter.exceeded) throw mediaTooLarge(this.options.maxBytes);
      const failure = error instanceof TranscodeError ? error : (mp3.errored as Error | null);
      if (failure instanceof TranscodeError) {
        this.logger.warn(`no mp3 of a ${original.contentType} voice: ${failure.message}`);
        if (failure.reason === 'timeout')
          throw new HttpProblem(503, 'TRANSCODE_TIMEOUT', 'making the mp3 took too long; try again later');
        throw unavailable(
          failure.reason === 'unavailable' ? 'ffmpeg is not available on this server' : 'ffmpeg cannot decode this voice',
        );
      }
      throw error;
    }
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
      produce: () =>
        this.withinQuota(options.owner, appId, async () => ({
          record: await this.downloader.download(mediaId, { hd: options.hd === true, owner: options.owner, appId, storage }),
          created: true,
        })),
      timedOut: () => new HttpProblem(503, 'MEDIA_BUSY', 'another instance is still saving this media; try again shortly'),
    });
  }
}
