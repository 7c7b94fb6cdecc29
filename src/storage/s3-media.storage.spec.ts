import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { S3_KEYS, startS3, type S3Server } from '../../test/support/s3-server.js';
import type { MediaRecord } from '../core/media/media-record.js';
import type { MediaSaveMeta } from '../core/media/media-storage.js';
import { S3MediaStorage } from './s3-media.storage.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What MediaDownloader hands a storage: the record is complete once the body ended. */
function metaFor(mediaId: string, bytes: Buffer, contentType = 'image/jpeg'): MediaSaveMeta {
  const record: MediaRecord = {
    mediaId,
    contentType,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    savedAt: new Date().toISOString(),
  };
  return { contentType, record: () => record };
}

// against a real S3-compatible server (s3rver), with an S3Client the host made itself
describe('S3MediaStorage', () => {
  let s3: S3Server;
  let client: S3Client;
  let storage: S3MediaStorage;
  const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31) % 251));

  beforeAll(async () => {
    s3 = await startS3('unit-media');
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3_KEYS });
    storage = await S3MediaStorage.create({ client, bucket: s3.bucket, prefix: 'unit/' });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
  });

  it('saves, finds and streams back a media, with the record last and no upload left', async () => {
    expect(await storage.stat('first')).toBeUndefined();
    const record = await storage.save('first', Readable.from([bytes]), metaFor('first', bytes));
    expect(record).toMatchObject({ mediaId: 'first', size: bytes.length });
    expect(await storage.stat('first')).toEqual(record);
    const opened = await storage.open('first');
    expect(opened?.range).toBeUndefined();
    expect((await collect(opened!.body)).equals(bytes)).toBe(true);
    expect((await s3.keys()).filter((k) => k.includes('first'))).toEqual(['unit/first.json', 'unit/first.media']);
    expect((await s3.keys()).filter((k) => k.includes('.uploads/'))).toEqual([]);
  });

  it('streams a range, whole bytes exact', async () => {
    await storage.save('ranged', Readable.from([bytes]), metaFor('ranged', bytes));
    for (const [start, end] of [
      [0, 0],
      [10, 19],
      [99_990, 99_999],
    ]) {
      const opened = await storage.open('ranged', { range: { start, end } });
      expect(opened?.range).toEqual({ start, end });
      expect((await collect(opened!.body)).equals(bytes.subarray(start, end + 1))).toBe(true);
    }
  });

  it('the first save of an id wins: a second one answers the stored record', async () => {
    const first = await storage.save('twice', Readable.from([bytes]), metaFor('twice', bytes));
    const other = Buffer.from('other bytes');
    const second = await storage.save('twice', Readable.from([other]), metaFor('twice', other));
    expect(second).toEqual(first);
    expect((await collect((await storage.open('twice'))!.body)).equals(bytes)).toBe(true);
  });

  it('a body that fails half-way commits nothing and leaves no upload', async () => {
    const body = new PassThrough();
    body.write(bytes.subarray(0, 50_000));
    const saving = storage.save('broken', body, metaFor('broken', bytes));
    setImmediate(() => body.destroy(new Error('WeChat broke off')));
    await expect(saving).rejects.toBeDefined();
    expect(await storage.stat('broken')).toBeUndefined();
    expect((await s3.keys()).filter((k) => k.includes('broken'))).toEqual([]);
  });

  it('keeps other accounts and renditions under their own prefixes', async () => {
    await storage.forAccount('wx0123456789abcdef').save('a', Readable.from([bytes]), metaFor('a', bytes));
    await storage.rendition('mp3').save('a', Readable.from([bytes]), metaFor('a', bytes, 'audio/mpeg'));
    const keys = await s3.keys();
    expect(keys).toEqual(expect.arrayContaining(['unit/wx0123456789abcdef/a.json', 'unit/.mp3/a.json', 'unit/.mp3/a.media']));
    expect(await storage.stat('a')).toBeUndefined();
    expect(() => storage.forAccount('../x')).toThrow(/appId/);
  });

  it("keeps a user's own copies under .owners/<key>/, with their renditions beside them", async () => {
    const own = storage.forAccount('wx0123456789abcdef').forOwner('0123456789abcdef0123456789abcdef');
    await own.save('b', Readable.from([bytes]), metaFor('b', bytes));
    await own.rendition('mp3').save('b', Readable.from([bytes]), metaFor('b', bytes, 'audio/mpeg'));
    const prefix = 'unit/wx0123456789abcdef/.owners/0123456789abcdef0123456789abcdef/';
    expect((await s3.keys()).filter((k) => k.includes('/b.'))).toEqual(
      [`${prefix}.mp3/b.json`, `${prefix}.mp3/b.media`, `${prefix}b.json`, `${prefix}b.media`].sort(),
    );
    expect(await storage.forAccount('wx0123456789abcdef').stat('b')).toBeUndefined();
    for (const key of ['../x', 'ABCDEF0123456789', 'abc', `${'a'.repeat(65)}`])
      expect(() => storage.forOwner(key)).toThrow(/owner key/);
  });

  it('a bucket that does not exist is the storage failing (503) on every read, logged once naming the bucket', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const missing = await S3MediaStorage.create({ client, bucket: 'no-such-bucket', prefix: 'unit/' });
      for (const read of [() => missing.stat('any'), () => missing.open('any'), () => missing.rendition('mp3').stat('any')])
        await expect(read()).rejects.toMatchObject({ statusCode: 503, code: 'MEDIA_STORAGE_UNAVAILABLE' });
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0][0])).toContain('"no-such-bucket" does not exist');
      expect(String(errors.mock.calls[0][0])).not.toContain(S3_KEYS.secretAccessKey);
    } finally {
      errors.mockRestore();
    }
  });

  it("does not serve an object whose length is not the record's, nor a record that is not one", async () => {
    await storage.save('tampered', Readable.from([bytes]), metaFor('tampered', bytes));
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'unit/tampered.media', Body: Buffer.from('short') }));
    expect(await storage.open('tampered')).toBeUndefined();
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'unit/junk.json', Body: '{"mediaId":"junk"}' }));
    expect(await storage.stat('junk')).toBeUndefined();
  });

  it('removes the record first, then the bytes', async () => {
    await storage.save('gone', Readable.from([bytes]), metaFor('gone', bytes));
    await storage.remove('gone');
    expect(await storage.stat('gone')).toBeUndefined();
    expect((await s3.keys()).filter((k) => k.includes('gone'))).toEqual([]);
    await storage.remove('gone');
  });

  it('refuses a missing bucket, small parts and ids that are not media ids', async () => {
    await expect(S3MediaStorage.create({ bucket: '' })).rejects.toThrow(/bucket/);
    await expect(S3MediaStorage.create({ bucket: 'b', partSize: 1024 })).rejects.toThrow(/partSize/);
    await expect(storage.stat('../etc/passwd')).rejects.toThrow(/invalid media id/);
  });
});
