import { availableParallelism } from 'node:os';
import { accountKey } from '../store/account-keys.js';
import type { MediaStorage } from './media-storage.js';
import type { S3MediaStorageOptions } from './s3-media.storage.js';
import { DEFAULT_TRANSCODE_TIMEOUT_MS, type TranscoderOptions, VoiceTranscoder } from './voice-transcoder.js';

/** What a host passes to MediaModule.forRoot / forRootAsync. */
export interface MediaModuleOptions {
  /** largest media accepted, bytes; default 20 MiB */
  maxBytes?: number;
  /** directory of the default LocalDiskMediaStorage; default ./data/media (unused with `storage`) */
  dir?: string;
  /** a storage of the host's own (object storage, a database...); wins over `s3` and `dir` */
  storage?: MediaStorage;
  /** keep media in an S3-compatible object store (needs @aws-sdk/client-s3 and @aws-sdk/lib-storage); wins over `dir` */
  s3?: S3MediaStorageOptions;
  /** how long a save waits for another instance saving the same id, ms; then 503; default 60000 */
  waitTimeoutMs?: number;
  /**
   * `owner` (default): a saved media is served only to the account and user that saved it
   * (404 to anyone else); `shared`: to any logged-in user.
   */
  access?: MediaAccess;
  /** media one user (account and openid) may save; past it 429 MEDIA_QUOTA_EXCEEDED; 0: no limit; default 200 */
  maxPerUser?: number;
  /** `?format=mp3` through ffmpeg (on PATH unless `ffmpegPath`); `false`: no renditions (415) */
  transcoding?: TranscodingOptions | false;
  /**
   * new mp3 renditions (those that run ffmpeg) one user may ask for a minute; past it 429
   * RATE_LIMITED; 0: no limit; default: WechatModule's `rateLimitPerMinute`
   */
  renditionsPerMinute?: number;
}

export interface TranscodingOptions extends TranscoderOptions {
  /** ffmpeg processes at once in this process; default: the number of cores (`os.availableParallelism()`) */
  concurrency?: number;
}

export type MediaAccess = 'owner' | 'shared';

export interface ResolvedMediaOptions {
  maxBytes: number;
  dir: string;
  storage?: MediaStorage;
  s3?: S3MediaStorageOptions;
  waitTimeoutMs: number;
  access: MediaAccess;
  maxPerUser: number;
  /** the user's count of saved media, in the shared store */
  quotaKey: (openid: string, appId?: string) => string;
  /** undefined when transcoding is switched off */
  transcoder?: VoiceTranscoder;
  /** ffmpeg processes at once in this process */
  transcodeConcurrency: number;
  /** transcodings that may wait for a slot (twice the concurrency); past it 503 MEDIA_BUSY */
  transcodeQueueLimit: number;
  /** the longest a transcoding waits for a slot; then 503 MEDIA_BUSY */
  transcodeQueueWaitMs: number;
  renditionsPerMinute: number;
  /** the user's count of new renditions this minute, in the shared store */
  renditionCountKey: (openid: string, appId?: string) => string;
  /** where a failed rendition is remembered (`name`: the media's name in its place, and the format) */
  failureKey: (name: string, appId?: string) => string;
  /** the longest a save, a rendition and any media request waits before it answers */
  deadlines: MediaDeadlines;
  /** the lock of one media id of an account (the default account when none is given) */
  lockKey: (mediaId: string, appId?: string) => string;
  /** lifetime of the cross-instance download lock; extended while the download runs */
  lockTtlMs: number;
  /** how often a waiting save looks for the other instance's result */
  pollIntervalMs: number;
  /** downloads of one media when its body breaks off, the first included */
  downloadAttempts: number;
}

export const MEDIA_OPTIONS = Symbol('MEDIA_OPTIONS');
export const DEFAULT_MEDIA_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MEDIA_DIR = './data/media';
export const DEFAULT_MEDIA_MAX_PER_USER = 200;
export const DEFAULT_MEDIA_WAIT_TIMEOUT_MS = 60_000;
/** A transcoding waits at most this long for a slot (less when ffmpeg's own bound is shorter). */
const MAX_QUEUE_WAIT_MS = 10_000;
/** Time for the lookups and the commit around a request's waits. */
const ANSWER_MARGIN_MS = 2000;

/** The longest each kind of media request waits before it answers (past it: 503 MEDIA_BUSY). */
export interface MediaDeadlines {
  /** a save: the wait for another instance's download, and the margin */
  saveMs: number;
  /** a rendition: the wait for a slot, one ffmpeg run (here or on another instance), and the margin */
  renditionMs: number;
  /** the longest of all: a socket must stay open longer than this */
  longestMs: number;
}

/** A rendition waits for a slot at most this long: ffmpeg's own bound, at most 10 s. */
export const transcodeQueueWaitMs = (transcodeTimeoutMs: number) => Math.min(MAX_QUEUE_WAIT_MS, transcodeTimeoutMs);

/** The deadlines of the media requests that these options give; a server's socket timeout must pass `longestMs`. */
export function mediaDeadlines(o: Pick<MediaModuleOptions, 'waitTimeoutMs' | 'transcoding'>): MediaDeadlines {
  const saveMs = (o.waitTimeoutMs ?? DEFAULT_MEDIA_WAIT_TIMEOUT_MS) + ANSWER_MARGIN_MS;
  const transcodeMs = o.transcoding === false ? 0 : (o.transcoding?.timeoutMs ?? DEFAULT_TRANSCODE_TIMEOUT_MS);
  const renditionMs = transcodeQueueWaitMs(transcodeMs) + transcodeMs + ANSWER_MARGIN_MS;
  return { saveMs, renditionMs, longestMs: Math.max(saveMs, renditionMs) };
}

/**
 * `keyPrefix` and `appId` place the lock beside the account's credential keys; `rateLimitPerMinute`
 * is the default of `renditionsPerMinute`.
 */
export function resolveMediaOptions(
  o: MediaModuleOptions,
  keyPrefix = 'wechat:',
  appId = 'app',
  rateLimitPerMinute = 0,
): ResolvedMediaOptions {
  const maxBytes = o.maxBytes ?? DEFAULT_MEDIA_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new Error('MediaModule: maxBytes must be a positive integer');
  const waitTimeoutMs = o.waitTimeoutMs ?? DEFAULT_MEDIA_WAIT_TIMEOUT_MS;
  if (!Number.isFinite(waitTimeoutMs) || waitTimeoutMs < 0) throw new Error('MediaModule: waitTimeoutMs must be 0 or more');
  if (o.access !== undefined && o.access !== 'owner' && o.access !== 'shared')
    throw new Error("MediaModule: access must be 'owner' or 'shared'");
  const maxPerUser = o.maxPerUser ?? DEFAULT_MEDIA_MAX_PER_USER;
  if (!Number.isSafeInteger(maxPerUser) || maxPerUser < 0)
    throw new Error('MediaModule: maxPerUser must be 0 or a positive integer');
  const transcoder = o.transcoding === false ? undefined : new VoiceTranscoder(o.transcoding);
  const concurrency = (o.transcoding !== false && o.transcoding?.concurrency) || availableParallelism();
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 1024)
    throw new Error('MediaModule: transcoding.concurrency must be a whole number from 1 to 1024');
  const renditionsPerMinute = o.renditionsPerMinute ?? rateLimitPerMinute;
  if (!Number.isSafeInteger(renditionsPerMinute) || renditionsPerMinute < 0)
    throw new Error('MediaModule: renditionsPerMinute must be 0 or a positive integer');
  return {
    maxBytes,
    dir: o.dir || DEFAULT_MEDIA_DIR,
    storage: o.storage,
    s3: o.s3,
    waitTimeoutMs,
    access: o.access ?? 'owner',
    maxPerUser,
    quotaKey: (openid, account = appId) => accountKey(keyPrefix, account, `media-quota:${openid}`),
    transcoder,
    transcodeConcurrency: concurrency,
    transcodeQueueLimit: 2 * concurrency,
    transcodeQueueWaitMs: transcodeQueueWaitMs(transcoder?.timeoutMs ?? 0),
    renditionsPerMinute,
    renditionCountKey: (openid, account = appId) => accountKey(keyPrefix, account, `media-renditions:${openid}`),
    failureKey: (name, account = appId) => accountKey(keyPrefix, account, `media:${name}:failed`),
    deadlines: mediaDeadlines({ waitTimeoutMs, transcoding: o.transcoding }),
    lockKey: (mediaId, account = appId) => accountKey(keyPrefix, account, `media:${mediaId}:lock`),
    lockTtlMs: 30_000,
    pollIntervalMs: 100,
    downloadAttempts: 2,
  };
}
