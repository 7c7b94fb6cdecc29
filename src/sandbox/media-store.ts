import { randomBytes } from 'node:crypto';
import type { Failure, StateResult } from './credential-state.js';
import { DailyQuota } from './daily-quota.js';
import { HD_VOICE_SAMPLE } from './hd-voice-sample.js';
import { wechatError } from './errors.js';
import type { ResolvedSandboxOptions } from './sandbox.options.js';

export const MEDIA_TYPES = ['image', 'voice', 'video', 'thumb'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** Upper bound of a registered size (generated bodies cost CPU, not memory). */
export const MAX_MEDIA_SIZE = 200 * 1024 * 1024;

export interface MediaSpec {
  type: MediaType;
  /** Body length in bytes, 1..MAX_MEDIA_SIZE. */
  size: number;
  /** Default: a random 64-char [A-Za-z0-9_-] id like WeChat's. */
  mediaId?: string;
  /** Download name; default `<mediaId>.<ext>` (ext from the type). */
  filename?: string;
}

export interface SandboxMediaEntry {
  mediaId: string;
  appId: string;
  type: MediaType;
  size: number;
  filename?: string;
  expiresAt: number;
}

/** What a download answers: bytes to stream, or (video on media/get) a url to fetch them from. */
export type MediaDownload =
  | { kind: 'bytes'; mediaId: string; size: number; contentType: string; filename: string; encoding: MediaEncoding }
  | { kind: 'video'; mediaId: string };

/** How the bytes are made: generated noise (images, videos), an AMR voice, the Ogg Speex HD sample. */
export type MediaEncoding = 'generated' | 'amr' | 'speex';

export type MediaBytes = Extract<MediaDownload, { kind: 'bytes' }>;

interface Format {
  contentType: string;
  ext: string;
  encoding: MediaEncoding;
}

const FORMATS: Record<MediaType, Format> = {
  image: { contentType: 'image/jpeg', ext: 'jpg', encoding: 'generated' },
  thumb: { contentType: 'image/jpeg', ext: 'jpg', encoding: 'generated' },
  voice: { contentType: 'audio/amr', ext: 'amr', encoding: 'amr' },
  video: { contentType: 'video/mp4', ext: 'mp4', encoding: 'generated' },
};
/** media/get/jssdk: the 16 kHz speex version of a JS-SDK voice (always the same 4-second sample). */
const HD_VOICE: Format = { contentType: 'voice/speex', ext: 'speex', encoding: 'speex' };

const MEDIA_ID = /^[A-Za-z0-9_-]{1,128}$/;
// it goes into a quoted header value and a file name: printable ASCII without quote, backslash or slash
const FILENAME = /^[\x20-\x21\x23-\x2e\x30-\x5b\x5d-\x7e]{1,200}$/;

export function isMediaType(value: unknown): value is MediaType {
  return typeof value === 'string' && (MEDIA_TYPES as readonly string[]).includes(value);
}

export function isMediaId(value: unknown): value is string {
  return typeof value === 'string' && MEDIA_ID.test(value);
}

/** Why `input` is not a valid MediaSpec, or undefined when it is (the control API's JSON is untrusted). */
export function mediaSpecProblem(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return 'media spec must be an object';
  const s = input as Record<string, unknown>;
  if (!isMediaType(s.type)) return `type must be one of ${MEDIA_TYPES.join(', ')}`;
  if (!Number.isInteger(s.size) || (s.size as number) < 1 || (s.size as number) > MAX_MEDIA_SIZE) {
    return `size must be an integer in 1..${MAX_MEDIA_SIZE}`;
  }
  if (s.mediaId !== undefined && !isMediaId(s.mediaId)) return 'mediaId must be 1..128 chars of [A-Za-z0-9_-]';
  if (s.filename !== undefined && (typeof s.filename !== 'string' || !FILENAME.test(s.filename))) {
    return 'filename must be 1..200 printable ASCII chars without quotes, slashes or backslashes';
  }
  return undefined;
}

const fail = (errcode: number): Failure => ({ ok: false, ...wechatError(errcode) });

/** Temporary media per appId, kept as metadata only (bodies are generated); pure logic, no HTTP. */
export class MediaStore {
  private readonly media = new Map<string, SandboxMediaEntry>();
  private readonly appIds: Set<string>;
  private readonly quota: DailyQuota;

  constructor(private readonly opts: ResolvedSandboxOptions) {
    this.appIds = new Set(opts.accounts.map((a) => a.appId));
    this.quota = new DailyQuota(opts.now);
  }

  /** Registers media as if uploaded now; an existing id is replaced (a re-upload with a fresh lifetime). */
  register(appId: string, spec: MediaSpec): string {
    if (!this.appIds.has(appId)) throw new Error(`sandbox: unknown appId ${appId}`);
    const problem = mediaSpecProblem(spec);
    if (problem) throw new Error(`sandbox: ${problem}`);
    // 48 random bytes → 64 url-safe chars, the shape of real media_ids
    const mediaId = spec.mediaId ?? randomBytes(48).toString('base64url');
    this.media.set(mediaId, {
      mediaId,
      appId,
      type: spec.type,
      size: spec.size,
      ...(spec.filename !== undefined && { filename: spec.filename }),
      expiresAt: this.opts.now() + this.opts.mediaTtlSec * 1000,
    });
    return mediaId;
  }

  /**
   * cgi-bin/media/get (hd = false) and cgi-bin/media/get/jssdk (hd = true) for an already checked token.
   * Media of another app, expired media and (HD) anything but voice all read as 40007, like WeChat.
   */
  download(appId: string, mediaId: string | undefined, hd: boolean): StateResult<MediaDownload> {
    if (!mediaId) return fail(41006);
    if (!this.quota.take(`${appId}:media`, this.opts.mediaDailyQuota)) return fail(45009);
    const media = this.live(mediaId);
    if (!media || media.appId !== appId || (hd && media.type !== 'voice')) return fail(40007);
    if (media.type === 'video' && !hd) return { ok: true, body: { kind: 'video', mediaId } };
    return { ok: true, body: bytesOf(media, hd ? HD_VOICE : FORMATS[media.type]) };
  }

  /** The body behind a video_url; the url is the capability, so no appId check. */
  videoFile(mediaId: string): MediaBytes | undefined {
    const media = this.live(mediaId);
    if (!media || media.type !== 'video') return undefined;
    return bytesOf(media, FORMATS.video);
  }

  /** What a download of the id gives (expired or not); undefined when unknown or (hd) not a voice. */
  bytesInfo(mediaId: string, hd = false): MediaBytes | undefined {
    const media = this.media.get(mediaId);
    if (!media || (hd && media.type !== 'voice')) return undefined;
    return bytesOf(media, hd ? HD_VOICE : FORMATS[media.type]);
  }

  /** The registration, expired or not. */
  info(mediaId: string): SandboxMediaEntry | undefined {
    const media = this.media.get(mediaId);
    return media && { ...media };
  }

  isLive(mediaId: string): boolean {
    return this.live(mediaId) !== undefined;
  }

  private live(mediaId: string): SandboxMediaEntry | undefined {
    const media = this.media.get(mediaId);
    return media && this.opts.now() < media.expiresAt ? media : undefined;
  }
}

function bytesOf(media: SandboxMediaEntry, format: Format): MediaBytes {
  const { mediaId } = media;
  const size = format.encoding === 'speex' ? HD_VOICE_SAMPLE.length : media.size;
  const { contentType, encoding } = format;
  return { kind: 'bytes', mediaId, size, contentType, filename: filename(media, format), encoding };
}

function filename(media: SandboxMediaEntry, format: Format): string {
  if (media.filename === undefined) return `${media.mediaId}.${format.ext}`;
  // the HD voice is a different encoding: keep the chosen name, change the extension
  if (format === HD_VOICE) return `${media.filename.replace(/\.[^.]*$/, '')}.${format.ext}`;
  return media.filename;
}
