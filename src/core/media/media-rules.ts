import { DEFAULT_TRANSCODE_TIMEOUT_MS, type VoiceTranscoder } from './voice-transcoder.js';

export type MediaAccess = 'owner' | 'shared';

/** What the media library needs to know: limits, waits, the shared store's keys, the transcoder. */
export interface MediaRules {
  maxBytes: number;
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
export function mediaDeadlines(o: { waitTimeoutMs?: number; transcoding?: { timeoutMs?: number } | false }): MediaDeadlines {
  const saveMs = (o.waitTimeoutMs ?? DEFAULT_MEDIA_WAIT_TIMEOUT_MS) + ANSWER_MARGIN_MS;
  const transcodeMs = o.transcoding === false ? 0 : (o.transcoding?.timeoutMs ?? DEFAULT_TRANSCODE_TIMEOUT_MS);
  const renditionMs = transcodeQueueWaitMs(transcodeMs) + transcodeMs + ANSWER_MARGIN_MS;
  return { saveMs, renditionMs, longestMs: Math.max(saveMs, renditionMs) };
}
