import { SILENT } from '../ports.js';
import { Readable } from 'node:stream';
import { caching } from 'cache-manager';
import { type AccountsDeps, WechatAccounts } from '../accounts/wechat-accounts.js';
import { CacheManagerStore } from '../../store/cache-manager.store.js';
import type { MediaDownloader } from './media-downloader.js';
import type { MediaOwner, MediaRecord } from './media-record.js';
import type { MediaSaveMeta, MediaStorage } from './media-storage.js';
import { resolveMediaOptions } from '../../nest/media/media.options.js';
import { MediaService } from './media.service.js';

const record = (mediaId: string, owner?: MediaOwner): MediaRecord => ({
  mediaId,
  contentType: 'audio/amr',
  size: 1,
  sha256: '0'.repeat(64),
  savedAt: '2026-01-01T00:00:00.000Z',
  ...(owner ? { owner } : {}),
});

/**
 * Storage and downloader in memory, the real in-process store for the lock: `holdLock(id)`
 * plays a second instance holding the cluster lock of a media id.
 */
async function setup(waitTimeoutMs = 2000, access: 'owner' | 'shared' = 'owner') {
  const saved = new Map<string, MediaRecord>();
  const downloads: string[] = [];
  let release: (() => void) | undefined;
  let gate = Promise.resolve();
  let polledOnce!: () => void;
  const polled = new Promise<void>((resolve) => {
    polledOnce = resolve;
  });
  const storage = {
    stat: async (id: string) => saved.get(id),
    open: async (id: string) => (saved.has(id) ? { record: saved.get(id)!, body: { destroy: () => undefined } } : undefined),
  } as unknown as MediaStorage;
  const store = new CacheManagerStore(await caching('memory', { max: 100, ttl: 60_000 }), undefined);
  const isLocked = store.isLocked.bind(store);
  store.isLocked = async (key: string) => {
    polledOnce();
    return isLocked(key);
  };
  const downloader = {
    download: async (id: string, { owner }: { owner?: MediaOwner }) => {
      downloads.push(id);
      await gate;
      saved.set(id, record(id, owner));
      return record(id, owner);
    },
  } as unknown as MediaDownloader;
  const options = { ...resolveMediaOptions({ waitTimeoutMs, access }), pollIntervalMs: 5 };
  const accounts = new WechatAccounts(
    [{ appId: 'wxapp', appSecret: 'secret', jsDomains: [], tokenMode: 'stable' }],
    {} as AccountsDeps,
  );
  const service = new MediaService(storage, downloader, store, options, accounts, SILENT);
  return {
    service,
    saved,
    downloads,
    holdLock: (id: string) => store.lock(options.lockKey(id, 'wxapp'), 60_000),
    /** resolves once a save is waiting for the other instance (it asked whether the lock is held) */
    polled,
    /** the next download waits until `open()` */
    holdDownloads: () => {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    open: () => release?.(),
    options,
  };
}

const ALICE = { appId: 'wxapp', openid: 'alice' };
const BOB = { appId: 'wxapp', openid: 'bob' };

describe('MediaService', () => {
  it('downloads a new id once and answers later saves from storage', async () => {
    const { service, downloads } = await setup();
    expect(await service.save('a')).toEqual({ record: record('a'), created: true });
    expect(await service.save('a')).toEqual({ record: record('a'), created: false });
    expect(downloads).toEqual(['a']);
  });

  it('concurrent saves in one process share one download', async () => {
    const t = await setup();
    t.holdDownloads();
    const saves = Array.from({ length: 4 }, () => t.service.save('b'));
    t.open();
    const results = await Promise.all(saves);
    expect(t.downloads).toEqual(['b']);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('waits while another instance holds the lock, then answers its record without downloading', async () => {
    const t = await setup();
    const other = await t.holdLock('c');
    const saving = t.service.save('c');
    await t.polled;
    // the other instance finishes: record first, then the lock goes
    t.saved.set('c', record('c'));
    await other!.release();
    expect(await saving).toEqual({ record: record('c'), created: false });
    expect(t.downloads).toEqual([]);
  });

  it('downloads itself when the other instance lets go without a record', async () => {
    const t = await setup();
    const other = await t.holdLock('d');
    const saving = t.service.save('d');
    await t.polled;
    await other!.release();
    expect(await saving).toEqual({ record: record('d'), created: true });
    expect(t.downloads).toEqual(['d']);
  });

  it('gives up with 503 MEDIA_BUSY once the wait budget is spent', async () => {
    const t = await setup(50);
    await t.holdLock('e');
    await expect(t.service.save('e')).rejects.toMatchObject({ statusCode: 503, code: 'MEDIA_BUSY' });
    expect(t.downloads).toEqual([]);
  });

  it('serves a saved media only to its owner; to anyone else it does not exist', async () => {
    const t = await setup();
    expect((await t.service.save('f', { owner: ALICE })).created).toBe(true);
    await expect(t.service.open('f', BOB)).rejects.toMatchObject({ statusCode: 404, code: 'MEDIA_NOT_FOUND' });
    await expect(t.service.save('f', { owner: BOB })).rejects.toMatchObject({ statusCode: 404 });
    expect(await t.service.find('f', BOB)).toBeUndefined();
    expect(await t.service.find('f', { ...ALICE, appId: 'wxother' })).toBeUndefined();
    expect((await t.service.open('f', ALICE)).record.owner).toEqual(ALICE);
    // server-side code that names no owner sees it
    expect(await t.service.find('f')).toBeDefined();
    expect(t.downloads).toEqual(['f']);
  });

  it('with shared access serves any saved media to any user', async () => {
    const t = await setup(2000, 'shared');
    await t.service.save('g', { owner: ALICE });
    expect((await t.service.open('g', BOB)).record.mediaId).toBe('g');
    expect((await t.service.save('g', { owner: BOB })).created).toBe(false);
  });

  it('refuses an invalid id before touching anything', async () => {
    const t = await setup();
    await expect(t.service.save('../x')).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_MEDIA_ID' });
    await expect(t.service.open('a/b')).rejects.toMatchObject({ statusCode: 400 });
    expect(t.downloads).toEqual([]);
  });

  it('answers 503 MEDIA_BUSY with Retry-After once its deadline passed, while the download goes on for the next ask', async () => {
    const t = await setup(0);
    t.holdDownloads();
    const started = Date.now();
    await expect(t.service.save('late')).rejects.toMatchObject({ statusCode: 503, code: 'MEDIA_BUSY', extra: { retryAfter: 5 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(t.options.deadlines.saveMs - 50);
    t.open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await t.service.save('late')).toEqual({ record: record('late'), created: false });
    expect(t.downloads).toEqual(['late']);
  });
});

/** Storage in memory with owner spaces (a map of records each), the downloader writing where it is told. */
class MemoryStorage implements MediaStorage {
  readonly records = new Map<string, MediaRecord>();
  readonly spaces = new Map<string, MemoryStorage>();
  async stat(mediaId: string) {
    return this.records.get(mediaId);
  }
  async save(mediaId: string, _body: Readable, meta: MediaSaveMeta) {
    const kept = this.records.get(mediaId) ?? meta.record();
    this.records.set(mediaId, kept);
    return kept;
  }
  async open(mediaId: string) {
    const kept = this.records.get(mediaId);
    return kept && { record: kept, body: Readable.from([]) };
  }
  async remove(mediaId: string) {
    this.records.delete(mediaId);
  }
  forOwner(key: string): MemoryStorage {
    let space = this.spaces.get(key);
    if (!space) this.spaces.set(key, (space = new MemoryStorage()));
    return space;
  }
}

describe('MediaService: two users who save the same media id', () => {
  async function setupWithSpaces() {
    const storage = new MemoryStorage();
    const downloads: string[] = [];
    const downloader = {
      download: async (id: string, target: { owner?: MediaOwner; storage: MediaStorage }) => {
        downloads.push(id);
        await new Promise((resolve) => setTimeout(resolve, 10));
        return target.storage.save(id, Readable.from([]), { contentType: 'audio/amr', record: () => record(id, target.owner) });
      },
    } as unknown as MediaDownloader;
    const store = new CacheManagerStore(await caching('memory', { max: 100, ttl: 60_000 }), undefined);
    const accounts = new WechatAccounts(
      [{ appId: 'wxapp', appSecret: 'secret', jsDomains: [], tokenMode: 'stable' }],
      {} as AccountsDeps,
    );
    const options = { ...resolveMediaOptions({ waitTimeoutMs: 2000 }), pollIntervalMs: 5 };
    return { service: new MediaService(storage, downloader, store, options, accounts, SILENT), storage, downloads };
  }
  const CAROL = { appId: 'wxapp', openid: 'carol' };

  it('each get their own record, also when they save at once; one who never saved gets nothing', async () => {
    const { service, storage, downloads } = await setupWithSpaces();
    const [first, second] = await Promise.all([service.save('x', { owner: ALICE }), service.save('x', { owner: BOB })]);
    expect([first.created, second.created]).toEqual([true, true]);
    expect([first.record.owner, second.record.owner]).toEqual([ALICE, BOB]);
    expect(storage.records.get('x')?.owner).toEqual(ALICE);
    expect([...storage.spaces.values()].map((space) => space.records.get('x')?.owner)).toEqual([BOB]);
    expect(await service.save('x', { owner: BOB })).toEqual({ record: second.record, created: false });
    expect((await service.open('x', BOB)).record.owner).toEqual(BOB);
    expect((await service.find('x', ALICE))?.owner).toEqual(ALICE);
    expect(await service.find('x', CAROL)).toBeUndefined();
    await expect(service.open('x', CAROL)).rejects.toMatchObject({ statusCode: 404 });
    expect(downloads).toEqual(['x', 'x']);
  });

  it('a trusted server-side save (no user) is answered by the first save, and makes no copy', async () => {
    const { service, storage, downloads } = await setupWithSpaces();
    await service.save('y', { owner: ALICE });
    expect((await service.save('y')).created).toBe(false);
    expect(storage.spaces.size).toBe(0);
    expect(downloads).toEqual(['y']);
  });
});
