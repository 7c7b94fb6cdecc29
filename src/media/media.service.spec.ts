import type { MediaDownloader } from './media-downloader.js';
import type { MediaLease, MediaLock } from './media-lock.js';
import type { MediaRecord } from './media-record.js';
import type { MediaStorage } from './media-storage.js';
import { resolveMediaOptions } from './media.options.js';
import { MediaService } from './media.service.js';

const record = (mediaId: string): MediaRecord =>
  ({ mediaId, contentType: 'audio/amr', size: 1, sha256: '0'.repeat(64), savedAt: '2026-01-01T00:00:00.000Z' });

/** Storage, lock and downloader in memory: `otherInstance` plays a second process holding the lock. */
function setup(waitTimeoutMs = 2000) {
  const saved = new Map<string, MediaRecord>();
  const held = new Set<string>();
  const downloads: string[] = [];
  let release: (() => void) | undefined;
  let gate = Promise.resolve();
  let polledOnce!: () => void;
  const polled = new Promise<void>((resolve) => { polledOnce = resolve; });
  const storage = { stat: async (id: string) => saved.get(id) } as unknown as MediaStorage;
  const lock = {
    acquire: async (id: string): Promise<MediaLease | null> => {
      if (held.has(id)) return null;
      held.add(id);
      return { release: async () => { held.delete(id); } };
    },
    isHeld: async (id: string) => {
      polledOnce();
      return held.has(id);
    },
  } as unknown as MediaLock;
  const downloader = {
    download: async (id: string) => {
      downloads.push(id);
      await gate;
      saved.set(id, record(id));
      return record(id);
    },
  } as unknown as MediaDownloader;
  const options = { ...resolveMediaOptions({ waitTimeoutMs }), pollIntervalMs: 5 };
  const service = new MediaService(storage, downloader, lock, options);
  return {
    service, saved, held, downloads,
    /** resolves once a save is waiting for the other instance (it asked whether the lock is held) */
    polled,
    /** the next download waits until `open()` */
    holdDownloads: () => { gate = new Promise((resolve) => { release = resolve; }); },
    open: () => release?.(),
  };
}

describe('MediaService', () => {
  it('downloads a new id once and answers later saves from storage', async () => {
    const { service, downloads } = setup();
    expect(await service.save('a')).toEqual({ record: record('a'), created: true });
    expect(await service.save('a')).toEqual({ record: record('a'), created: false });
    expect(downloads).toEqual(['a']);
  });

  it('concurrent saves in one process share one download', async () => {
    const t = setup();
    t.holdDownloads();
    const saves = Array.from({ length: 4 }, () => t.service.save('b'));
    t.open();
    const results = await Promise.all(saves);
    expect(t.downloads).toEqual(['b']);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('waits while another instance holds the lock, then answers its record without downloading', async () => {
    const t = setup();
    t.held.add('c');
    const saving = t.service.save('c');
    await t.polled;
    // the other instance finishes: record first, then the lock goes
    t.saved.set('c', record('c'));
    t.held.delete('c');
    expect(await saving).toEqual({ record: record('c'), created: false });
    expect(t.downloads).toEqual([]);
  });

  it('downloads itself when the other instance lets go without a record', async () => {
    const t = setup();
    t.held.add('d');
    const saving = t.service.save('d');
    await t.polled;
    t.held.delete('d');
    expect(await saving).toEqual({ record: record('d'), created: true });
    expect(t.downloads).toEqual(['d']);
  });

  it('gives up with 503 MEDIA_BUSY once the wait budget is spent', async () => {
    const t = setup(50);
    t.held.add('e');
    await expect(t.service.save('e')).rejects.toMatchObject({ statusCode: 503, code: 'MEDIA_BUSY' });
    expect(t.downloads).toEqual([]);
  });

  it('refuses an invalid id before touching anything', async () => {
    const t = setup();
    await expect(t.service.save('../x')).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_MEDIA_ID' });
    await expect(t.service.open('a/b')).rejects.toMatchObject({ statusCode: 400 });
    expect(t.downloads).toEqual([]);
  });
});
