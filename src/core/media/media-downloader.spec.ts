import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Problem } from '../problem.js';
import { SILENT, type Transport, type WechatDownload } from '../ports.js';
import type { WechatAccounts } from '../accounts/wechat-accounts.js';
import { WechatApiError, WechatUnavailableError } from '../wechat-api.error.js';
import { LocalDiskMediaStorage } from '../../storage/local-disk-media.storage.js';
import { cleanContentType, MediaDownloader } from './media-downloader.js';
import type { MediaStorage } from './media-storage.js';
import { resolveMediaOptions } from '../../nest/media/media.options.js';

const data = Buffer.alloc(300_000, 7);
const chunked = (bytes: Buffer, size = 65_536) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

/** A body that sends `bytes`, then breaks off (like a cut connection) when `breakAfter` chunks went out. */
function body(bytes: Buffer, breakAfter?: number): Readable {
  const chunks = chunked(bytes);
  let sent = 0;
  return new Readable({
    read() {
      if (sent === breakAfter) return this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      this.push(sent < chunks.length ? chunks[sent] : null);
      sent += 1;
    },
  });
}

const file = (readable: Readable, contentLength?: number): WechatDownload => ({
  kind: 'file',
  file: { body: readable, contentType: 'audio/amr; codecs=x', contentLength, filename: 'v.amr' },
});

describe('MediaDownloader', () => {
  let dir: string;
  let storage: MediaStorage;
  let answers: (() => WechatDownload | Promise<WechatDownload>)[];
  let calls: string[];

  const client = {
    download: async (endpoint: string) => {
      calls.push(endpoint);
      const next = answers.shift();
      if (!next) throw new Error('no answer queued');
      return next();
    },
  } as unknown as Transport;
  const tokens = { withAccessToken: <T>(call: (token: string) => Promise<T>) => call('token') };
  const accounts = { get: () => ({ appId: 'wxapp', tokens }) } as unknown as WechatAccounts;
  const downloader = (maxBytes = 1_000_000, store = storage) =>
    new MediaDownloader(client, accounts, store, resolveMediaOptions({ maxBytes }), SILENT);
  const files = () => readdir(dir).catch(() => [] as string[]);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'media-downloader-'));
    storage = new LocalDiskMediaStorage(dir);
    answers = [];
    calls = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('streams the body into storage with its measured size and sha256', async () => {
    answers.push(() => file(body(data), data.length));
    const record = await downloader().download('voice1', { hd: false });
    expect(record).toMatchObject({
      mediaId: 'voice1',
      contentType: 'audio/amr',
      size: data.length,
      filename: 'v.amr',
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    expect(calls).toEqual(['cgi-bin/media/get']);
    answers.push(() => file(body(data), data.length));
    expect((await downloader().download('voice2', { hd: true })).size).toBe(data.length);
    expect(calls).toEqual(['cgi-bin/media/get', 'cgi-bin/media/get/jssdk']);
  });

  it('counts the bytes: a body past the limit without Content-Length is 413, nothing kept', async () => {
    answers.push(() => file(body(data)));
    const error = await downloader(100_000)
      .download('big', { hd: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Problem);
    expect(error).toMatchObject({ statusCode: 413, code: 'MEDIA_TOO_LARGE' });
    expect(await files()).toEqual([]);
  });

  it('refuses on Content-Length alone, without reading the body', async () => {
    let reads = 0;
    const readable = new Readable({
      read() {
        reads += 1;
        this.push(data);
      },
    });
    answers.push(() => file(readable, data.length));
    await expect(downloader(100_000).download('big', { hd: false })).rejects.toMatchObject({ statusCode: 413 });
    expect(reads).toBe(0);
    expect(readable.destroyed).toBe(true);
    expect(await files()).toEqual([]);
  });

  it('downloads again once when the body breaks off, then gives up with WechatUnavailableError', async () => {
    answers.push(
      () => file(body(data, 2), data.length),
      () => file(body(data), data.length),
    );
    expect((await downloader().download('cut1', { hd: false })).size).toBe(data.length);
    expect(calls).toHaveLength(2);

    answers.push(
      () => file(body(data, 1), data.length),
      () => file(body(data, 3), data.length),
    );
    await expect(downloader().download('cut2', { hd: false })).rejects.toBeInstanceOf(WechatUnavailableError);
    expect(calls).toHaveLength(4);
    expect((await files()).filter((name) => name.includes('cut2'))).toEqual([]);
  });

  it('tells a broken download from a storage failure whatever error the storage rejects with', async () => {
    const wrapping: MediaStorage = {
      ...storage,
      save: async (id, readable, meta) => {
        try {
          return await storage.save(id, readable, meta);
        } catch {
          throw new Error('upload failed');
        }
      },
    };
    answers.push(
      () => file(body(data, 2), data.length),
      () => file(body(data), data.length),
    );
    expect((await downloader(1_000_000, wrapping).download('wrapped', { hd: false })).size).toBe(data.length);
    expect(calls).toHaveLength(2);
    answers.push(() => file(body(data)));
    await expect(downloader(100_000, wrapping).download('wrapped-big', { hd: false })).rejects.toMatchObject({ statusCode: 413 });
  });

  it('does not retry a storage failure, and reports it as it is', async () => {
    const diskFull = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const failing: MediaStorage = {
      ...storage,
      save: async (_id, readable) => {
        readable.destroy();
        throw diskFull;
      },
    };
    answers.push(() => file(body(data), data.length));
    await expect(downloader(1_000_000, failing).download('full', { hd: false })).rejects.toBe(diskFull);
    expect(calls).toHaveLength(1);
  });

  it('40007 is 404 MEDIA_NOT_FOUND, a video url 422 MEDIA_IS_VIDEO, other JSON 502', async () => {
    answers.push(() => {
      throw new WechatApiError(40007, 'invalid media_id', 'cgi-bin/media/get');
    });
    await expect(downloader().download('gone', { hd: false })).rejects.toMatchObject({
      statusCode: 404,
      code: 'MEDIA_NOT_FOUND',
      extra: { errcode: 40007 },
    });
    answers.push(() => ({ kind: 'json', body: { video_url: 'http://example.com/v.mp4' } }));
    await expect(downloader().download('video', { hd: false })).rejects.toMatchObject({
      statusCode: 422,
      extra: { videoUrl: 'http://example.com/v.mp4' },
    });
    answers.push(() => ({ kind: 'json', body: { something: 'else' } }));
    await expect(downloader().download('odd', { hd: false })).rejects.toBeInstanceOf(WechatApiError);
    // an empty video_url names no video: the answer is as odd as one without it
    answers.push(() => ({ kind: 'json', body: { video_url: '' } }));
    await expect(downloader().download('empty', { hd: false })).rejects.toBeInstanceOf(WechatApiError);
    expect(await files()).toEqual([]);
  });

  it.each([
    ['image/jpeg', 'image/jpeg'],
    ['Audio/AMR; rate=8000', 'audio/amr'],
    ['voice/speex', 'voice/speex'],
    ['', 'application/octet-stream'],
    ['image', 'application/octet-stream'],
    ['text/html\r\nx: y', 'application/octet-stream'],
    ['a/b c', 'application/octet-stream'],
  ])('stores Content-Type %j as %j', (header, stored) => {
    expect(cleanContentType(header)).toBe(stored);
  });
});
