import { pipeline, type Readable } from 'node:stream';
import type { Logger } from '../ports.js';
import type { Problem } from '../problem.js';
import { produceOnce } from '../produce-once.js';
import type { WechatStore } from '../wechat-store.js';
import { MediaMeter } from './media-meter.js';
import type { MediaPlace } from './media-place.js';
import { formatUnavailable, mediaBusy, mediaNotFound, mediaTooLarge, transcodeTimeout } from './media-problems.js';
import type { MediaOwner, MediaRecord } from './media-record.js';
import type { MediaRendition, MediaSaveMeta, MediaStorage } from './media-storage.js';
import type { MediaRules } from './media-rules.js';
import { spendRenditionBudget } from './rendition-budget.js';
import { recallFailure, rememberFailure } from './rendition-failures.js';
import { TranscodeSlots } from './transcode-slots.js';
import { isVoice, TranscodeError } from './voice-transcoder.js';
import { smallestMp3Bytes } from './voice-size.js';

/** One rendition asked for: of which saved original, kept where, for whom, waiting how long. */
export interface RenditionRequest {
  mediaId: string;
  format: MediaRendition;
  original: MediaRecord;
  place: MediaPlace;
  owner?: MediaOwner;
  /** when waiting for another instance's transcoding ends (ms since epoch) */
  deadline: number;
}

/**
 * Makes the mp3 of a saved voice, once per media across instances (the store's lock, as for a
 * save), kept beside the original. What can be answered without ffmpeg is answered first: a kept
 * mp3, a failure remembered from an earlier try, an mp3 that cannot fit the size limit, the user's
 * spent budget. ffmpeg runs only in one of this process's slots.
 */
export class MediaRenditions {
  private readonly flights = new Map<string, Promise<MediaRecord>>();
  readonly slots: TranscodeSlots;

  constructor(
    private readonly store: WechatStore,
    private readonly options: MediaRules,
    private readonly logger: Logger,
  ) {
    this.slots = new TranscodeSlots(options.transcodeConcurrency, options.transcodeQueueLimit, options.transcodeQueueWaitMs);
  }

  /** The rendition's record: the kept one, or one made now (concurrent asks in this process share the work). */
  async make(request: RenditionRequest): Promise<MediaRecord> {
    const renditions = renditionsOf(request);
    const made = await renditions.stat(request.mediaId);
    if (made) return made;
    await this.refuseWithoutFfmpeg(request);
    const key = `${request.format}:${request.place.flight(request.mediaId)}`;
    let flight = this.flights.get(key);
    if (!flight) {
      flight = this.underLock(request, renditions).finally(() => this.flights.delete(key));
      this.flights.set(key, flight);
    }
    return flight;
  }

  /** The answers that need no ffmpeg: an mp3 that cannot fit, a failure remembered, no ffmpeg, the budget spent. */
  private async refuseWithoutFfmpeg(request: RenditionRequest): Promise<void> {
    const { maxBytes, transcoder } = this.options;
    if (smallestMp3Bytes(request.original) > maxBytes) throw mediaTooLarge(maxBytes);
    const failed = await recallFailure(this.store, this.failureKey(request));
    if (failed) throw failed;
    if (!transcoder || !(await transcoder.version())) throw formatUnavailable('ffmpeg is not available on this server');
    const { owner } = request;
    if (owner) {
      const key = this.options.renditionCountKey(owner.openid, owner.appId);
      await spendRenditionBudget(this.store, key, this.options.renditionsPerMinute);
    }
  }

  private underLock(request: RenditionRequest, renditions: MediaStorage): Promise<MediaRecord> {
    const { mediaId, place, format } = request;
    return produceOnce<MediaRecord>(this.store, {
      lockKey: this.options.lockKey(`${place.name(mediaId)}:${format}`, place.appId),
      lockTtlMs: this.options.lockTtlMs,
      keepAlive: true,
      deadline: request.deadline,
      pollIntervalMs: this.options.pollIntervalMs,
      // what another instance left: its mp3, or the failure it remembered
      find: async () => (await renditions.stat(mediaId)) ?? (await this.throwRemembered(request)),
      produce: () => this.slots.run(() => this.transcode(request, renditions)),
      timedOut: () => mediaBusy('another instance is still making this mp3; try again shortly', this.slots.retryAfterSec),
    });
  }

  private async throwRemembered(request: RenditionRequest): Promise<undefined> {
    const failed = await recallFailure(this.store, this.failureKey(request));
    if (failed) throw failed;
    return undefined;
  }

  private async transcode(request: RenditionRequest, renditions: MediaStorage): Promise<MediaRecord> {
    const { mediaId, original, place } = request;
    const transcoder = this.options.transcoder;
    const source = await place.storage.open(mediaId);
    if (!transcoder || !source) throw mediaNotFound();
    const started = Date.now();
    const meter = new MediaMeter(this.options.maxBytes);
    const mp3 = transcoder.toMp3(source.body);
    const metered = pipeline(mp3, meter, () => undefined);
    try {
      const record = await renditions.save(mediaId, metered, mp3Meta(original, meter));
      this.logger.log(
        `made an mp3 of a ${original.contentType} voice (${original.size} → ${record.size} bytes, ${Date.now() - started} ms)`,
      );
      return record;
    } catch (error) {
      mp3.destroy();
      throw await this.failureOf(request, error, mp3, meter);
    }
  }

  /**
   * What a failed transcoding answers. Too large and undecodable are remembered (the same bytes
   * fail the same way again); a timeout, a missing ffmpeg or a storage failure are not.
   */
  private async failureOf(request: RenditionRequest, error: unknown, mp3: Readable, meter: MediaMeter): Promise<unknown> {
    const failure = error instanceof TranscodeError ? error : mp3.errored;
    let problem: Problem;
    if (meter.exceeded) problem = mediaTooLarge(this.options.maxBytes);
    else if (!(failure instanceof TranscodeError)) return error;
    else {
      this.logger.warn(`no mp3 of a ${request.original.contentType} voice: ${failure.message}`);
      if (failure.reason === 'timeout') return transcodeTimeout(this.slots.retryAfterSec);
      if (failure.reason === 'unavailable') return formatUnavailable('ffmpeg is not available on this server');
      problem = formatUnavailable('ffmpeg cannot decode this voice');
    }
    await rememberFailure(this.store, this.failureKey(request), problem);
    return problem;
  }

  private failureKey({ mediaId, place, format }: RenditionRequest): string {
    return this.options.failureKey(`${place.name(mediaId)}:${format}`, place.appId);
  }
}

/** Where the renditions of the original are kept; 415 when it is no voice or the storage keeps none. */
function renditionsOf({ original, place, format }: RenditionRequest): MediaStorage {
  if (!isVoice(original.contentType)) throw formatUnavailable(`only a voice has one (this is ${original.contentType})`);
  const renditions = place.storage.rendition?.(format);
  if (!renditions) throw formatUnavailable('the media storage keeps no renditions');
  return renditions;
}

/** The mp3's type, file name (the voice's, as .mp3) and record, owned by the voice's owner. */
function mp3Meta(original: MediaRecord, meter: MediaMeter): MediaSaveMeta {
  const named = original.filename !== undefined ? { filename: `${original.filename.replace(/\.[^.]*$/, '')}.mp3` } : {};
  const owned = original.owner ? { owner: original.owner } : {};
  return {
    contentType: 'audio/mpeg',
    ...named,
    record: () => ({
      mediaId: original.mediaId,
      contentType: 'audio/mpeg',
      ...meter.measured(),
      savedAt: new Date().toISOString(),
      ...named,
      ...owned,
    }),
  };
}
