import { Problem } from '../problem.js';
import { produceOnce } from '../produce-once.js';
import type { WechatStore } from '../wechat-store.js';
import type { Logger } from '../ports.js';
import type { WechatAccounts } from '../accounts/wechat-accounts.js';
import type { ByteRange } from './byte-range.js';
import { answerWithin } from './deadline.js';
import type { MediaDownloader } from './media-downloader.js';
import { accountPlace, type MediaPlace, ownerPlace } from './media-place.js';
import { mediaBusy, mediaNotFound } from './media-problems.js';
import { assertMediaId } from './media-id.js';
import type { MediaOwner, MediaRecord } from './media-record.js';
import { MediaRenditions } from './media-renditions.js';
import type { MediaRendition, MediaStorage, StoredMedia } from './media-storage.js';
import type { MediaRules } from './media-rules.js';

export { mediaNotFound } from './media-problems.js';

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

/** a user's count of saved media lives as long as their media: practically for ever */
const QUOTA_WINDOW_MS = 10 * 365 * 24 * 3600_000;
/** seconds after which work still running (here or elsewhere) is worth asking for again */
const RETRY_AFTER_SEC = 5;

export interface MediaReadOptions {
  /** the rendition instead of the original */
  format?: MediaRendition;
  /** only these bytes */
  range?: ByteRange;
}

/**
 * Keeps WeChat's temporary media (3 days) for good. A media id is downloaded once: saved ids are
 * answered from storage, concurrent saves in this process share one download, and across
 * instances the store's lock lets one download while the others wait (bounded) for its record.
 * A saved media belongs to the account and user that saved it: to anyone else it does not exist,
 * and when another user saves the same id, they get a copy of their own. Every call answers
 * within its deadline (`deadlines`), whatever it waits for.
 */
export class MediaService {
  private readonly inflight = new Map<string, Promise<MediaSaveResult>>();
  private readonly renditions: MediaRenditions;

  constructor(
    private readonly storage: MediaStorage,
    private readonly downloader: MediaDownloader,
    private readonly store: WechatStore,
    private readonly options: MediaRules,
    private readonly accounts: WechatAccounts,
    private readonly logger: Logger,
  ) {
    this.renditions = new MediaRenditions(store, options, logger);
  }

  /** What the start-up log says of `?format=mp3` here: available (and with which ffmpeg), off, or unavailable. */
  async transcodingStatus(): Promise<{ level: 'log' | 'warn'; message: string }> {
    const { transcoder } = this.options;
    if (!transcoder) return { level: 'log', message: 'voice transcoding: off (?format=mp3 answers 415 FORMAT_UNAVAILABLE)' };
    const version = await transcoder.version();
    if (version) {
      const name = version.split(' ').slice(0, 3).join(' ');
      return { level: 'log', message: `voice transcoding: available (${name}), ${this.options.transcodeConcurrency} at once` };
    }
    return {
      level: 'warn',
      message: `voice transcoding: unavailable, ${transcoder.ffmpegPath} cannot be run (?format=mp3 answers 415 FORMAT_UNAVAILABLE)`,
    };
  }

  async save(mediaId: string, options: MediaSaveOptions = {}): Promise<MediaSaveResult> {
    return this.answered(this.saveChecked(mediaId, options), this.options.deadlines.saveMs);
  }

  /** The record of a saved media of `appId` (default account), or undefined (also when `owner` may not see it). */
  async find(mediaId: string, owner?: MediaOwner, appId?: string): Promise<MediaRecord | undefined> {
    return this.answered(this.locate(mediaId, owner, appId).then((found) => found?.record));
  }

  /**
   * The saved bytes (all, or a range) and record of the media or of its rendition; 404
   * `MEDIA_NOT_FOUND` when not saved (or not `owner`'s). A rendition must have been made first
   * (`rendition()`).
   */
  async open(mediaId: string, owner?: MediaOwner, appId?: string, options: MediaReadOptions = {}): Promise<StoredMedia> {
    return this.answered(this.openChecked(mediaId, owner, appId, options), undefined, (late) => late.body.destroy());
  }

  /**
   * The record of the media's mp3, made now with ffmpeg when it was not made before: once per
   * media across instances, kept beside the original. 404 as for `find`; 415 `FORMAT_UNAVAILABLE`
   * when the media is no voice, the storage keeps no renditions, ffmpeg is missing or cannot
   * decode it; 413 `MEDIA_TOO_LARGE` when the mp3 would pass the size limit; 429 `RATE_LIMITED`
   * past the user's budget; 503 `MEDIA_BUSY` when no slot comes free or another instance is still
   * at it, `TRANSCODE_TIMEOUT` past ffmpeg's time bound.
   */
  async rendition(mediaId: string, format: MediaRendition, owner?: MediaOwner, appId?: string): Promise<MediaRecord> {
    const { renditionMs } = this.options.deadlines;
    return this.answered(this.renditionChecked(mediaId, format, owner, appId, Date.now() + renditionMs), renditionMs);
  }

  /** The work's answer, by its deadline at the latest (503 MEDIA_BUSY then). */
  private answered<T>(work: Promise<T>, ms = this.options.deadlines.longestMs, discard?: (late: T) => void): Promise<T> {
    const late = () => mediaBusy('the media storage or another instance is taking too long; try again shortly', RETRY_AFTER_SEC);
    return answerWithin(work, ms, late, discard);
  }

  private async saveChecked(mediaId: string, options: MediaSaveOptions): Promise<MediaSaveResult> {
    assertMediaId(mediaId);
    const place = accountPlace(this.accounts, this.storage, options.appId);
    const result = await this.saveIn(mediaId, options, place);
    if (this.mayAccess(result.record, options.owner)) return result;
    // someone else saved this id first: the user gets a copy of their own
    const own = this.ownPlaceOf(place, options.owner);
    const mine = own && (await this.saveIn(mediaId, options, own));
    if (!mine || !this.mayAccess(mine.record, options.owner)) throw mediaNotFound();
    return mine;
  }

  private async openChecked(
    mediaId: string,
    owner: MediaOwner | undefined,
    appId: string | undefined,
    options: MediaReadOptions,
  ): Promise<StoredMedia> {
    const found = await this.locate(mediaId, owner, appId);
    const from = found && (options.format ? found.place.storage.rendition?.(options.format) : found.place.storage);
    const stored = await from?.open(mediaId, options.range ? { range: options.range } : {});
    if (!stored) throw mediaNotFound();
    if (!this.mayAccess(stored.record, owner)) {
      stored.body.destroy();
      throw mediaNotFound();
    }
    return stored;
  }

  private async renditionChecked(
    mediaId: string,
    format: MediaRendition,
    owner: MediaOwner | undefined,
    appId: string | undefined,
    deadline: number,
  ): Promise<MediaRecord> {
    const found = await this.locate(mediaId, owner, appId);
    if (!found) throw mediaNotFound();
    return this.renditions.make({
      mediaId,
      format,
      original: found.record,
      place: found.place,
      deadline,
      ...(owner && { owner }),
    });
  }

  /** The place and record of the media `owner` may see: the account's, else the user's own copy. */
  private async locate(
    mediaId: string,
    owner: MediaOwner | undefined,
    appId: string | undefined,
  ): Promise<{ place: MediaPlace; record: MediaRecord } | undefined> {
    assertMediaId(mediaId);
    const place = accountPlace(this.accounts, this.storage, appId);
    const record = await place.storage.stat(mediaId);
    if (record && this.mayAccess(record, owner)) return { place, record };
    const own = this.ownPlaceOf(place, owner);
    const mine = own && (await own.storage.stat(mediaId));
    return own && mine && this.mayAccess(mine, owner) ? { place: own, record: mine } : undefined;
  }

  /** The user's own space in the account's place: only users (not server-side calls) with owner access have one. */
  private ownPlaceOf(place: MediaPlace, owner: MediaOwner | undefined): MediaPlace | undefined {
    if (!owner || this.options.access === 'shared') return undefined;
    return ownerPlace(place, owner);
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
      throw new Problem(429, 'MEDIA_QUOTA_EXCEEDED', `this user has saved the most media allowed (${maxPerUser})`, {
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

  private mayAccess(record: MediaRecord, owner: MediaOwner | undefined): boolean {
    if (!owner || this.options.access === 'shared') return true;
    return record.owner?.appId === owner.appId && record.owner.openid === owner.openid;
  }

  /** The save of the id in this place: joined, found, or started here. */
  private async saveIn(mediaId: string, options: MediaSaveOptions, place: MediaPlace): Promise<MediaSaveResult> {
    const found = await this.joinOrFind(mediaId, place);
    if (found) return found;
    const key = place.flight(mediaId);
    const flight = this.saveUnderLock(mediaId, options, place).finally(() => this.inflight.delete(key));
    this.inflight.set(key, flight);
    return flight;
  }

  /** A save already running here, or the stored record; undefined when the work is ours to do. */
  private async joinOrFind(mediaId: string, place: MediaPlace): Promise<MediaSaveResult | undefined> {
    const key = place.flight(mediaId);
    const running = this.inflight.get(key);
    if (running) return { record: (await running).record, created: false };
    const stored = await place.storage.stat(mediaId);
    if (stored) return { record: stored, created: false };
    // looked again after the await: a save may have started meanwhile
    const started = this.inflight.get(key);
    return started ? { record: (await started).record, created: false } : undefined;
  }

  private saveUnderLock(mediaId: string, options: MediaSaveOptions, place: MediaPlace): Promise<MediaSaveResult> {
    const { storage, appId } = place;
    return produceOnce<MediaSaveResult>(this.store, {
      lockKey: this.options.lockKey(place.name(mediaId), appId),
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
      timedOut: () => mediaBusy('another instance is still saving this media; try again shortly', RETRY_AFTER_SEC),
    });
  }
}
