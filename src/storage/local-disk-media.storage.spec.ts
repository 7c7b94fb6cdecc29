import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { LocalDiskMediaStorage } from './local-disk-media.storage.js';
import type { MediaRecord } from '../core/media/media-record.js';
import type { MediaSaveMeta } from '../core/media/media-storage.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Meta whose record describes `data`, as MediaService's meter would after the body ended. */
function metaFor(mediaId: string, data: Buffer, extra: Partial<MediaRecord> = {}): MediaSaveMeta {
  return {
    contentType: 'image/jpeg',
    record: () => ({
      mediaId,
      contentType: 'image/jpeg',
      size: data.length,
      sha256: sha256(data),
      savedAt: new Date().toISOString(),
      ...extra,
    }),
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('LocalDiskMediaStorage', () => {
  let dir: string;
  let storage: LocalDiskMediaStorage;
  const data = Buffer.from('voice bytes '.repeat(10_000));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'media-storage-'));
    storage = new LocalDiskMediaStorage(join(dir, 'media'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const files = () =>
    readdir(join(dir, 'media')).then(
      (names) => names.sort(),
      () => [] as string[],
    );

  it('saves the bytes and a JSON sidecar, and opens them again', async () => {
    const record = await storage.save('abc_DEF-1', Readable.from([data]), metaFor('abc_DEF-1', data, { filename: 'abc.amr' }));
    expect(record).toMatchObject({ mediaId: 'abc_DEF-1', size: data.length, sha256: sha256(data), filename: 'abc.amr' });
    expect(await files()).toEqual(['abc_DEF-1.json', 'abc_DEF-1.media']);
    expect(JSON.parse(await readFile(join(dir, 'media', 'abc_DEF-1.json'), 'utf8'))).toEqual(record);
    expect(await storage.stat('abc_DEF-1')).toEqual(record);
    const opened = await storage.open('abc_DEF-1');
    expect(opened?.record).toEqual(record);
    expect((await readAll(opened!.body)).equals(data)).toBe(true);
  });

  it('shows nothing until the body has ended and both files are in place', async () => {
    let asked = 0;
    let askedAgain!: () => void;
    const waiting = new Promise<void>((resolve) => {
      askedAgain = resolve;
    });
    // hands out the first part, then holds the rest back until the test releases it
    const body = new Readable({
      read() {
        asked += 1;
        if (asked === 1) this.push(data.subarray(0, 1000));
        else if (asked === 2) askedAgain();
      },
    });
    const saving = storage.save('pending', body, metaFor('pending', data));
    await waiting;
    expect(await storage.stat('pending')).toBeUndefined();
    expect(await storage.open('pending')).toBeUndefined();
    expect((await files()).filter((name) => !name.endsWith('.part'))).toEqual([]);
    body.push(data.subarray(1000));
    body.push(null);
    await saving;
    expect(await files()).toEqual(['pending.json', 'pending.media']);
  });

  it('leaves nothing behind when the body fails mid-way', async () => {
    const failure = new Error('connection reset');
    let asked = 0;
    const body = new Readable({
      read() {
        asked += 1;
        if (asked === 1) this.push(data);
        else this.destroy(failure);
      },
    });
    await expect(storage.save('broken', body, metaFor('broken', data))).rejects.toBe(failure);
    expect(await files()).toEqual([]);
    expect(await storage.stat('broken')).toBeUndefined();
  });

  it('leaves nothing behind when the body failed before the save got to it', async () => {
    const body = new PassThrough();
    const failure = new Error('gone before the first byte');
    const saving = storage.save('early', body, metaFor('early', data));
    body.destroy(failure);
    await expect(saving).rejects.toBe(failure);
    expect(await files()).toEqual([]);
  });

  it('keeps the first record when the same id is saved twice at once', async () => {
    const [first, second] = await Promise.all([
      storage.save('twice', Readable.from([data]), metaFor('twice', data, { savedAt: '2026-01-01T00:00:00.000Z' })),
      storage.save('twice', Readable.from([data]), metaFor('twice', data, { savedAt: '2026-01-02T00:00:00.000Z' })),
    ]);
    expect(first).toEqual(second);
    expect(await storage.stat('twice')).toEqual(first);
    expect(await files()).toEqual(['twice.json', 'twice.media']);
  });

  it('treats a corrupt, foreign or truncated sidecar as not saved', async () => {
    await storage.save('victim', Readable.from([data]), metaFor('victim', data));
    await writeFile(join(dir, 'media', 'victim.json'), '{"mediaId":"victim"');
    expect(await storage.stat('victim')).toBeUndefined();
    await writeFile(join(dir, 'media', 'victim.json'), JSON.stringify(metaFor('other', data).record()));
    expect(await storage.stat('victim')).toBeUndefined();
    // a record promising more bytes than the file holds is never served
    await writeFile(join(dir, 'media', 'victim.json'), JSON.stringify(metaFor('victim', Buffer.concat([data, data])).record()));
    expect(await storage.open('victim')).toBeUndefined();
  });

  it('removes the media, and only ever touches names built from valid ids', async () => {
    await storage.save('gone', Readable.from([data]), metaFor('gone', data));
    await storage.remove('gone');
    await storage.remove('gone');
    expect(await files()).toEqual([]);
    for (const bad of ['..', '../x', 'a/b', 'a\\b', '', 'a.json']) {
      await expect(storage.stat(bad)).rejects.toThrow(/invalid media id/);
      await expect(storage.save(bad, Readable.from([data]), metaFor(bad, data))).rejects.toThrow(/invalid media id/);
    }
  });

  it('sweeps temp files left by dead saves, not fresh ones', async () => {
    await storage.save('keep', Readable.from([data]), metaFor('keep', data));
    const media = join(dir, 'media');
    await writeFile(join(media, '.old.0123.part'), 'x');
    await writeFile(join(media, '.new.4567.part'), 'x');
    const anHourAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(join(media, '.old.0123.part'), anHourAgo, anHourAgo);
    expect(await storage.removeStaleTempFiles(Date.now() - 3600_000)).toBe(1);
    expect(await files()).toEqual(['.new.4567.part', 'keep.json', 'keep.media']);
  });

  it("keeps a user's own copies in .owners/<key>/ (renditions beside them), apart from the media of the same id", async () => {
    const key = '0123456789abcdef0123456789abcdef';
    const other = Buffer.from('the same id, saved by someone else first');
    await storage.save('same', Readable.from([other]), metaFor('same', other));
    const own = storage.forOwner(key);
    await own.save('same', Readable.from([data]), metaFor('same', data));
    await own.rendition('mp3').save('same', Readable.from([data]), metaFor('same', data));
    const ownDir = join(dir, 'media', '.owners', key);
    expect((await readdir(ownDir)).sort()).toEqual(['.mp3', 'same.json', 'same.media']);
    expect(await readAll((await own.open('same'))!.body)).toEqual(data);
    expect(await readAll((await storage.open('same'))!.body)).toEqual(other);
    for (const bad of ['../x', 'ABCDEF0123456789', 'abc', 'a'.repeat(65), '.mp3'])
      expect(() => storage.forOwner(bad)).toThrow(/owner key/);
  });
});
