import { availableParallelism } from 'node:os';
import { accountKey } from '../../core/account-keys.js';
import type { MediaStorage } from '../../core/media/media-storage.js';
import type { S3MediaStorageOptions } from '../../storage/s3-media.storage.js';
import { type TranscoderOptions, VoiceTranscoder } from '../../core/media/voice-transcoder.js';
import {
  DEFAULT_MEDIA_WAIT_TIMEOUT_MS,
  type MediaAccess,
  mediaDeadlines,
  type MediaRules,
  transcodeQueueWaitMs,
} from '../../core/media/media-rules.js';

export { type MediaAccess, type MediaDeadlines, mediaDeadlines } from '../../core/media/media-rules.js';

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

/** The options after validation: the media library's rules, and where its storage is. */
export interface ResolvedMediaOptions extends MediaRules {
  dir: string;
  storage?: MediaStorage;
  s3?: S3MediaStorageOptions;
}

export const MEDIA_OPTIONS = Symbol('MEDIA_OPTIONS');
export const DEFAULT_MEDIA_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MEDIA_DIR = './data/media';
export const DEFAULT_MEDIA_MAX_PER_USER = 200;
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
