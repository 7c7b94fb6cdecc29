import type { MediaOwner, MediaRecord } from './media-record.js';
import type { MediaRendition, StoredMedia } from './media-storage.js';
import type { MediaReadOptions, MediaSaveResult, MediaService } from './media.service.js';

/** What a save asks for: a voice in HD or not, and for whom. */
export interface AccountMediaSaveOptions {
  /** a JS-SDK voice in HD (16 kHz speex, cgi-bin/media/get/jssdk) */
  hd?: boolean;
  /** who saves it; with `access: 'owner'` only they read it back. Omitted: a trusted server-side call. */
  owner?: MediaOwner;
}

/** One account's media (`accounts.get(appId).media`): WeChat's temporary media kept for good. */
export class AccountMedia {
  constructor(
    private readonly library: MediaService,
    readonly appId: string,
  ) {}

  /** Downloads the media once and keeps it; `created` is false when it was saved already. */
  save(mediaId: string, options: AccountMediaSaveOptions = {}): Promise<MediaSaveResult> {
    return this.library.save(mediaId, { ...options, appId: this.appId });
  }

  /** The record of a saved media, or undefined (also when `owner` may not see it). */
  find(mediaId: string, owner?: MediaOwner): Promise<MediaRecord | undefined> {
    return this.library.find(mediaId, owner, this.appId);
  }

  /** The saved bytes (all, or a range) and record; 404 `MEDIA_NOT_FOUND` when not saved or not `owner`'s. */
  open(mediaId: string, owner?: MediaOwner, options: MediaReadOptions = {}): Promise<StoredMedia> {
    return this.library.open(mediaId, owner, this.appId, options);
  }

  /** The record of the media's rendition (an mp3 of a voice), made once when first asked for. */
  rendition(mediaId: string, format: MediaRendition, owner?: MediaOwner): Promise<MediaRecord> {
    return this.library.rendition(mediaId, format, owner, this.appId);
  }
}
