import type { Readable } from 'node:stream';
import type { ByteRange } from './byte-range.js';
import type { MediaOwner, MediaRecord } from './media-record.js';

/** What the service knows of a media as its bytes start to arrive. */
export interface MediaSaveMeta {
  contentType: string;
  filename?: string;
  /**
   * The complete record (size and sha256 measured while the body streamed, savedAt now). Call it
   * once the body has ended, before committing.
   */
  record(): MediaRecord;
}

/** A saved media ready to be streamed back. */
export interface StoredMedia {
  record: MediaRecord;
  /** the bytes (only those of `range` when it is set); read to the end or destroy it */
  body: Readable;
  /** set when `body` holds only this range of the media (a storage may ignore ranges: then unset) */
  range?: ByteRange;
}

export interface MediaOpenOptions {
  /** only these bytes (within the record's size) */
  range?: ByteRange;
}

/** The renditions a storage can keep beside an original. */
export type MediaRendition = 'mp3';

/**
 * Where media is kept: the seam for object storage. Ids reaching a storage are already valid
 * (`^[A-Za-z0-9_-]{1,100}$`). Implementations must be safe to call concurrently, also from
 * several instances sharing the same backing store.
 */
export interface MediaStorage {
  /** The record of a completely saved media, or undefined. */
  stat(mediaId: string): Promise<MediaRecord | undefined>;
  /**
   * Reads `body` to the end (or destroys it) and stores it with its record, atomically: until it
   * resolves nobody sees the media, and when `body` fails (or the write does) nothing is left
   * behind and the promise rejects (with any error). If the media was saved meanwhile by someone
   * else, the stored record wins and is returned.
   */
  save(mediaId: string, body: Readable, meta: MediaSaveMeta): Promise<MediaRecord>;
  /** The bytes (all, or `range`) and record, or undefined when not saved. */
  open(mediaId: string, options?: MediaOpenOptions): Promise<StoredMedia | undefined>;
  /** Deletes the media; no error when it is not there. */
  remove(mediaId: string): Promise<void>;
  /**
   * The storage of another Official Account's media (media ids are per account). Without it,
   * every account's media share this storage, told apart only by their records' owner.
   */
  forAccount?(appId: string): MediaStorage;
  /**
   * One user's own space (`key`: 16-64 lower-case hex, a hash of account and openid) for their copy
   * of an id someone else saved first; it must never meet a media id or an account's storage.
   * Without it a user cannot save an id another user saved (404).
   */
  forOwner?(key: string): MediaStorage;
  /**
   * Where the renditions of this storage's media are kept (same ids, same rules). Without it no
   * rendition is made: `?format=mp3` answers 415.
   */
  rendition?(format: MediaRendition): MediaStorage;
}

/** Injection token of the MediaStorage in use (LocalDiskMediaStorage unless the host passed one). */
export const MEDIA_STORAGE = Symbol('MEDIA_STORAGE');

/** What a storage's methods take and answer, under its own name (`MediaStorage.SaveMeta`, `MediaStorage.Stored`) for hosts that write one. */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace MediaStorage {
  export type SaveMeta = MediaSaveMeta;
  export type Stored = StoredMedia;
  export type Record = MediaRecord;
  export type Owner = MediaOwner;
}
