import { mediaDeadlines, type MediaModuleOptions } from '../../nest/media/media.options.js';
import type { AppConfig } from './app-config.js';

type MediaConfig = Pick<
  AppConfig,
  | 'mediaDir'
  | 'mediaMaxBytes'
  | 'mediaAccess'
  | 'mediaMaxPerUser'
  | 'mediaS3'
  | 'ffmpegPath'
  | 'transcodeTimeoutMs'
  | 'transcodeConcurrency'
>;

/** What the service hands MediaModule; the socket timeout below is derived from these same options. */
export function mediaModuleOptions(config: MediaConfig): MediaModuleOptions {
  return {
    dir: config.mediaDir,
    maxBytes: config.mediaMaxBytes,
    access: config.mediaAccess,
    maxPerUser: config.mediaMaxPerUser,
    ...(config.mediaS3 && { s3: config.mediaS3 }),
    transcoding: {
      ffmpegPath: config.ffmpegPath,
      timeoutMs: config.transcodeTimeoutMs,
      concurrency: config.transcodeConcurrency,
    },
  };
}

/** How much longer than the longest media wait a silent connection stays open, so the answer gets out first. */
export const SOCKET_MARGIN_MS = 5000;

/**
 * How long a connection may stay silent before the server closes it: at least 60 s and twice the
 * time to send a request, and always longer than any media request waits before answering.
 */
export function socketTimeoutOf(config: MediaConfig & Pick<AppConfig, 'requestTimeoutMs'>): number {
  const longestMediaWait = mediaDeadlines(mediaModuleOptions(config)).longestMs;
  return Math.max(60_000, 2 * config.requestTimeoutMs, longestMediaWait + SOCKET_MARGIN_MS);
}
