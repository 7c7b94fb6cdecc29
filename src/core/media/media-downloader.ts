import { pipeline, type Readable } from 'node:stream';
import { Problem } from '../problem.js';
import type { Logger, Transport, WechatFile } from '../ports.js';
import type { WechatAccounts } from '../accounts/wechat-accounts.js';
import { WechatApiError, WechatUnavailableError } from '../wechat-api.error.js';
import { MediaMeter } from './media-meter.js';
import { mediaTooLarge } from './media-problems.js';
import type { MediaOwner, MediaRecord } from './media-record.js';
import type { MediaStorage } from './media-storage.js';
import type { MediaRules } from './media-rules.js';

export const MEDIA_ENDPOINT = 'cgi-bin/media/get';
/** The 16 kHz speex version of a JS-SDK voice (`?hd=1`). */
export const HD_VOICE_ENDPOINT = 'cgi-bin/media/get/jssdk';

// 40007: invalid (or expired) media_id; 46001: media data no longer exists
const GONE_ERRCODES = new Set([40007, 46001]);
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The body broke off mid-way (connection cut, idle timeout): worth downloading again. */
class BodyBrokeOff extends Error {}

export { mediaTooLarge } from './media-problems.js';

/** What to download into where: a voice in HD or not, for whom, of which account, into which storage. */
export interface DownloadTarget {
  hd: boolean;
  owner?: MediaOwner;
  /** default: the default account */
  appId?: string;
  /** default: the module's storage */
  storage?: MediaStorage;
}

/**
 * Downloads one media from WeChat into storage: the account's token (40001 and friends: a new
 * token, one retry), the size limit checked on Content-Length and again on the
 * bytes, sha256 and size measured on the way, a body that breaks off downloaded again (bounded).
 */
export class MediaDownloader {
  constructor(
    private readonly transport: Transport,
    private readonly accounts: WechatAccounts,
    private readonly storage: MediaStorage,
    private readonly options: MediaRules,
    private readonly logger: Logger,
  ) {}

  async download(mediaId: string, target: DownloadTarget): Promise<MediaRecord> {
    const endpoint = target.hd ? HD_VOICE_ENDPOINT : MEDIA_ENDPOINT;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.downloadOnce(endpoint, mediaId, target);
      } catch (error) {
        if (!(error instanceof BodyBrokeOff)) throw error;
        if (attempt >= this.options.downloadAttempts) throw new WechatUnavailableError(endpoint, error.message);
        this.logger.warn(`${endpoint}: ${error.message}; downloading again (${attempt + 1}/${this.options.downloadAttempts})`);
      }
    }
  }

  private async downloadOnce(endpoint: string, mediaId: string, { owner, appId, storage }: DownloadTarget): Promise<MediaRecord> {
    const file = await this.open(endpoint, mediaId, appId);
    const { maxBytes } = this.options;
    if (file.contentLength !== undefined && file.contentLength > maxBytes) {
      file.body.destroy();
      throw mediaTooLarge(maxBytes);
    }
    const meter = new MediaMeter(maxBytes);
    // the callback form returns the meter, destroyed with the body's error if the body fails
    const metered = pipeline(file.body, meter, () => undefined);
    const broke = brokeOffFirst(file.body, meter);
    const contentType = cleanContentType(file.contentType);
    const named = file.filename !== undefined ? { filename: file.filename } : {};
    const owned = owner ? { owner: { appId: owner.appId, openid: owner.openid } } : {};
    try {
      return await (storage ?? this.storage).save(mediaId, metered, {
        contentType,
        ...named,
        record: () => ({ mediaId, contentType, ...meter.measured(), savedAt: new Date().toISOString(), ...named, ...owned }),
      });
    } catch (error) {
      if (meter.exceeded) throw mediaTooLarge(maxBytes);
      const cause = broke();
      if (cause) throw new BodyBrokeOff(`the download broke off (${describeBreak(cause)})`);
      throw error;
    }
  }

  /** The file WeChat sends, or the HTTP problem its answer means. */
  private async open(endpoint: string, mediaId: string, appId: string | undefined): Promise<WechatFile> {
    let answer;
    try {
      const account = this.accounts.get(appId);
      answer = await account.tokens.withAccessToken((token) =>
        this.transport.download(endpoint, { access_token: token, media_id: mediaId }, { appId: account.appId }),
      );
    } catch (error) {
      if (error instanceof WechatApiError && GONE_ERRCODES.has(error.errcode)) {
        throw new Problem(404, 'MEDIA_NOT_FOUND', 'WeChat does not know this media id (or it expired after 3 days)', {
          errcode: error.errcode,
        });
      }
      throw error;
    }
    if (answer.kind === 'file') return answer.file;
    const videoUrl = answer.body.video_url;
    if (typeof videoUrl === 'string' && videoUrl.length > 0) {
      throw new Problem(422, 'MEDIA_IS_VIDEO', 'WeChat serves this media (a video) only by url; it is not saved', {
        videoUrl,
      });
    }
    throw new WechatApiError(-2, 'answer without media or video_url', endpoint, 'fatal');
  }
}

/** The bare media type, lower case; anything odd is stored as application/octet-stream. */
export function cleanContentType(header: string): string {
  const type = header.split(';')[0].trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : 'application/octet-stream';
}

/**
 * The error of WeChat's body when it failed before the storage let go of the meter: WeChat
 * broke off. When the storage fails first, the pipeline only tears the body down afterwards.
 */
function brokeOffFirst(body: Readable, meter: MediaMeter): () => Error | undefined {
  let storageLetGo = false;
  let cause: Error | undefined;
  meter.once('close', () => {
    storageLetGo = true;
  });
  body.once('error', (error: Error) => {
    if (!storageLetGo) cause = error;
  });
  return () => cause;
}

function describeBreak(error: Error): string {
  const e = error as { code?: string; name?: string };
  if (e.name === 'CanceledError' || e.code === 'ERR_CANCELED') return 'stalled';
  return e.code ? `connection ${e.code}` : 'connection closed';
}
