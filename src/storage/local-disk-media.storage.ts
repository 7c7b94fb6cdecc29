import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { isValidMediaId } from '../core/media/media-id.js';
import { isMediaRecord, type MediaRecord } from '../core/media/media-record.js';
import type { MediaOpenOptions, MediaRendition, MediaSaveMeta, MediaStorage, StoredMedia } from '../core/media/media-storage.js';

const TEMP_SUFFIX = '.part';
/** A temp file this old belongs to a process that died mid-save. */
const STALE_TEMP_MS = 3600_000;
// filesystems without hard links: the sidecar is renamed instead (last writer wins, same bytes)
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS']);

const OWNERS = '.owners';
const OWNER_KEY = /^[0-9a-f]{16,64}$/;

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException)?.code;

/**
 * MediaStorage on a local (or shared network) directory: `<id>.media` holds the bytes and
 * `<id>.json` the record. Both are written to dot-named temp files in the same directory, synced,
 * then moved into place; the sidecar goes last and is the commit mark, linked so that the first
 * save of an id wins. Names come only from validated ids, so nothing escapes the directory.
 * The directory must be on a case-sensitive filesystem (media ids differ by case).
 */
export class LocalDiskMediaStorage implements MediaStorage {
  readonly dir: string;
  private swept = false;
  private readonly accounts = new Map<string, LocalDiskMediaStorage>();
  private readonly renditions = new Map<MediaRendition, LocalDiskMediaStorage>();

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Another account's media go to a subdirectory named after its appId (letters, digits, _ and -). */
  forAccount(appId: string): LocalDiskMediaStorage {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(appId)) throw new Error('LocalDiskMediaStorage: not an appId');
    let storage = this.accounts.get(appId);
    if (!storage) this.accounts.set(appId, (storage = new LocalDiskMediaStorage(join(this.dir, appId))));
    return storage;
  }

  /** A user's own copies go to `.owners/<key>/`, dot-named like no appId or media file can be. */
  forOwner(key: string): LocalDiskMediaStorage {
    if (!OWNER_KEY.test(key)) throw new Error('LocalDiskMediaStorage: not an owner key');
    return new LocalDiskMediaStorage(join(this.dir, OWNERS, key));
  }

  /** A rendition goes to a dot-named subdirectory (`.mp3`), which no appId can be. */
  rendition(format: MediaRendition): LocalDiskMediaStorage {
    if (format !== 'mp3') throw new Error('LocalDiskMediaStorage: unknown rendition');
    let storage = this.renditions.get(format);
    if (!storage) this.renditions.set(format, (storage = new LocalDiskMediaStorage(join(this.dir, `.${format}`))));
    return storage;
  }

  async stat(mediaId: string): Promise<MediaRecord | undefined> {
    let raw: string;
    try {
      raw = await readFile(this.path(mediaId, 'json'), 'utf8');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw error;
    }
    const record = parseJson(raw);
    return isMediaRecord(record) && record.mediaId === mediaId ? record : undefined;
  }

  async save(mediaId: string, body: Readable, meta: MediaSaveMeta): Promise<MediaRecord> {
    const tempData = this.tempPath(mediaId);
    const tempRecord = this.tempPath(mediaId);
    // a body failing before we read it must not be an unhandled 'error'; reading rethrows it
    body.on('error', () => undefined);
    try {
      await mkdir(this.dir, { recursive: true });
      this.sweepOnce();
      await writeSynced(tempData, body);
      const record = meta.record();
      await writeSynced(tempRecord, JSON.stringify(record));
      const existing = await this.stat(mediaId);
      if (existing) return existing;
      await rename(tempData, this.path(mediaId, 'media'));
      return (await this.commitRecord(tempRecord, mediaId)) ?? record;
    } catch (error) {
      body.destroy();
      throw error;
    } finally {
      await Promise.all([rm(tempData, { force: true }), rm(tempRecord, { force: true })]);
    }
  }

  async open(mediaId: string, options: MediaOpenOptions = {}): Promise<StoredMedia | undefined> {
    const record = await this.stat(mediaId);
    if (!record) return undefined;
    let handle;
    try {
      handle = await open(this.path(mediaId, 'media'), 'r');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw error;
    }
    // the promised Content-Length must be what is on disk
    const { size } = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    if (size !== record.size) {
      await handle.close();
      return undefined;
    }
    const { range } = options;
    if (range) return { record, range, body: handle.createReadStream({ start: range.start, end: range.end }) };
    return { record, body: handle.createReadStream() };
  }

  async remove(mediaId: string): Promise<void> {
    // the record first: without it the media counts as not saved
    await rm(this.path(mediaId, 'json'), { force: true });
    await rm(this.path(mediaId, 'media'), { force: true });
  }

  /** Deletes temp files left by saves that died before `olderThan` (ms since epoch). */
  async removeStaleTempFiles(olderThan: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir)) {
      if (!name.startsWith('.') || !name.endsWith(TEMP_SUFFIX)) continue;
      const file = join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info && info.mtimeMs < olderThan) {
        await rm(file, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  /** Links the record into place; when one is already there, that one wins and is returned. */
  private async commitRecord(temp: string, mediaId: string): Promise<MediaRecord | undefined> {
    try {
      await link(temp, this.path(mediaId, 'json'));
      return undefined;
    } catch (error) {
      if (codeOf(error) === 'EEXIST') return this.stat(mediaId);
      if (!NO_LINKS.has(codeOf(error) ?? '')) throw error;
      await rename(temp, this.path(mediaId, 'json'));
      return undefined;
    }
  }

  private sweepOnce(): void {
    if (this.swept) return;
    this.swept = true;
    void this.removeStaleTempFiles(Date.now() - STALE_TEMP_MS).catch(() => undefined);
  }

  private path(mediaId: string, kind: 'media' | 'json'): string {
    return join(this.dir, `${checked(mediaId)}.${kind}`);
  }

  private tempPath(mediaId: string): string {
    return join(this.dir, `.${checked(mediaId)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  }
}

/** Defence in depth: a storage never builds a path from an id that was not validated. */
function checked(mediaId: string): string {
  if (!isValidMediaId(mediaId)) throw new Error('LocalDiskMediaStorage: invalid media id');
  return mediaId;
}

/** Writes a new file (never an existing one) and syncs it to disk before closing. */
async function writeSynced(file: string, content: Readable | string): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    if (typeof content === 'string') await handle.writeFile(content, 'utf8');
    // one chunk at a time: the next is read only once this one is written (backpressure)
    else for await (const chunk of content) await handle.write(chunk as Buffer);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
