import { HD_VOICE_SAMPLE } from './hd-voice-sample.js';
import { createHash } from 'node:crypto';
import { MEDIA_CHUNK_SIZE, mediaBytes, mediaChunks, mediaSha256 } from './media-content.js';
import { MAX_MEDIA_SIZE, MediaStore, mediaSpecProblem, type MediaDownload } from './media-store.js';
import { Sandbox } from './sandbox.js';
import { resolveSandboxOptions, SANDBOX_DEFAULT_ACCOUNT, type SandboxOptions } from './sandbox.options.js';

const START = Date.UTC(2024, 0, 15, 8, 0, 0);
const { appId } = SANDBOX_DEFAULT_ACCOUNT;
const OTHER = { appId: 'wx00000000000000aa', appSecret: 'other-secret' };
const DAY_SEC = 24 * 3600;

function setup(options: SandboxOptions = {}) {
  const clock = { t: START };
  const store = new MediaStore(
    resolveSandboxOptions({ accounts: [SANDBOX_DEFAULT_ACCOUNT, OTHER], now: () => clock.t, ...options }),
  );
  const advance = (sec: number) => {
    clock.t += sec * 1000;
  };
  return { store, advance };
}

function ok(result: { ok: true; body: MediaDownload } | { ok: false; errcode: number }): MediaDownload {
  if (!result.ok) throw new Error(`expected success, got ${result.errcode}`);
  return result.body;
}
const errcodeOf = (r: { ok: boolean; errcode?: number }) => (r.ok ? 0 : r.errcode);

describe('MediaStore: registration and download', () => {
  it('generates 64-char url-safe media ids, different each time', () => {
    const { store } = setup();
    const a = store.register(appId, { type: 'image', size: 10 });
    const b = store.register(appId, { type: 'image', size: 10 });
    expect(a).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(b).not.toBe(a);
  });

  it('answers each type with its content type and file name', () => {
    const { store } = setup();
    const image = store.register(appId, { type: 'image', size: 100 });
    const thumb = store.register(appId, { type: 'thumb', size: 20 });
    const voice = store.register(appId, { type: 'voice', size: 30 });
    const video = store.register(appId, { type: 'video', size: 40 });
    expect(ok(store.download(appId, image, false))).toEqual({
      kind: 'bytes',
      mediaId: image,
      size: 100,
      contentType: 'image/jpeg',
      filename: `${image}.jpg`,
      encoding: 'generated',
    });
    const thumbAnswer = ok(store.download(appId, thumb, false));
    expect(thumbAnswer).toMatchObject({ contentType: 'image/jpeg', filename: `${thumb}.jpg` });
    const voiceAnswer = ok(store.download(appId, voice, false));
    expect(voiceAnswer).toMatchObject({ contentType: 'audio/amr', filename: `${voice}.amr`, encoding: 'amr' });
    expect(ok(store.download(appId, video, false))).toEqual({ kind: 'video', mediaId: video });
  });

  it('serves HD (jssdk) downloads for voice only', () => {
    const { store } = setup();
    const voice = store.register(appId, { type: 'voice', size: 30 });
    expect(ok(store.download(appId, voice, true))).toMatchObject({
      kind: 'bytes',
      size: HD_VOICE_SAMPLE.length,
      encoding: 'speex',
      contentType: 'voice/speex',
      filename: `${voice}.speex`,
    });
    for (const type of ['image', 'thumb', 'video'] as const) {
      expect(errcodeOf(store.download(appId, store.register(appId, { type, size: 5 }), true))).toBe(40007);
    }
  });

  it('keeps a chosen media id and file name (HD voice gets the .speex extension)', () => {
    const { store } = setup();
    const id = store.register(appId, { type: 'voice', size: 8, mediaId: 'my_voice-1', filename: 'hello.amr' });
    expect(id).toBe('my_voice-1');
    expect(ok(store.download(appId, 'my_voice-1', false))).toMatchObject({ filename: 'hello.amr' });
    expect(ok(store.download(appId, 'my_voice-1', true))).toMatchObject({ filename: 'hello.speex' });
  });

  it('expires media mediaTtlSec (default 3 days) after registration → 40007', () => {
    const { store, advance } = setup();
    const id = store.register(appId, { type: 'image', size: 10 });
    advance(3 * DAY_SEC - 1);
    expect(ok(store.download(appId, id, false))).toMatchObject({ kind: 'bytes' });
    advance(1);
    expect(errcodeOf(store.download(appId, id, false))).toBe(40007);
    expect(store.isLive(id)).toBe(false);
    expect(store.info(id)).toMatchObject({ mediaId: id, size: 10 });

    const short = setup({ mediaTtlSec: 60 });
    const other = short.store.register(appId, { type: 'voice', size: 10 });
    short.advance(60);
    expect(errcodeOf(short.store.download(appId, other, true))).toBe(40007);
  });

  it('re-registering an id renews it', () => {
    const { store, advance } = setup();
    store.register(appId, { type: 'image', size: 10, mediaId: 'again' });
    advance(2 * DAY_SEC);
    store.register(appId, { type: 'voice', size: 20, mediaId: 'again' });
    advance(2 * DAY_SEC);
    expect(ok(store.download(appId, 'again', false))).toMatchObject({ contentType: 'audio/amr', size: 20 });
  });

  it('answers 41006 without media_id and 40007 for unknown or foreign media', () => {
    const { store } = setup();
    const mine = store.register(OTHER.appId, { type: 'image', size: 10 });
    expect(errcodeOf(store.download(appId, undefined, false))).toBe(41006);
    expect(errcodeOf(store.download(appId, '', true))).toBe(41006);
    expect(errcodeOf(store.download(appId, 'nope', false))).toBe(40007);
    expect(errcodeOf(store.download(appId, mine, false))).toBe(40007);
    expect(errcodeOf(store.download(OTHER.appId, mine, false))).toBe(0);
  });

  it('enforces the daily download quota per app across both endpoints, reset at the UTC day', () => {
    const { store, advance } = setup({ mediaDailyQuota: 3 });
    const id = store.register(appId, { type: 'voice', size: 10 });
    expect(errcodeOf(store.download(appId, id, false))).toBe(0);
    expect(errcodeOf(store.download(appId, id, true))).toBe(0);
    expect(errcodeOf(store.download(appId, 'unknown', false))).toBe(40007);
    expect(errcodeOf(store.download(appId, id, false))).toBe(45009);
    expect(errcodeOf(store.download(OTHER.appId, 'unknown', false))).toBe(40007);
    advance(16 * 3600);
    expect(errcodeOf(store.download(appId, id, false))).toBe(0);
  });

  it('validates registrations', () => {
    const { store } = setup();
    expect(() => store.register('wxunknown', { type: 'image', size: 1 })).toThrow(/unknown appId/);
    expect(() => store.register(appId, { type: 'gif' as 'image', size: 1 })).toThrow(/type/);
    expect(() => store.register(appId, { type: 'image', size: 0 })).toThrow(/size/);
    expect(() => store.register(appId, { type: 'image', size: MAX_MEDIA_SIZE + 1 })).toThrow(/size/);
    expect(() => store.register(appId, { type: 'image', size: 1.5 })).toThrow(/size/);
    expect(() => store.register(appId, { type: 'image', size: 1, mediaId: 'a/b' })).toThrow(/mediaId/);
    expect(() => store.register(appId, { type: 'image', size: 1, filename: 'a"b.jpg' })).toThrow(/filename/);
    expect(() => store.register(appId, { type: 'image', size: 1, filename: 'x\r\nSet-Cookie: a' })).toThrow(/filename/);
    expect(mediaSpecProblem(null)).toBeDefined();
    const largest = { type: 'video', size: MAX_MEDIA_SIZE, mediaId: 'v', filename: 'clip 1.mp4' };
    expect(mediaSpecProblem(largest)).toBeUndefined();
  });
});

describe('generated media content', () => {
  const collect = (chunks: Iterable<Buffer>) => Buffer.concat([...chunks]);

  it('is deterministic per id and size, and differs between ids', () => {
    expect(mediaSha256('abc', 100_000)).toBe(mediaSha256('abc', 100_000));
    expect(mediaSha256('abc', 100_000)).not.toBe(mediaSha256('abd', 100_000));
    expect(mediaSha256('abc', 0)).toBe(createHash('sha256').digest('hex'));
  });

  it('comes in 64 KiB chunks with the exact size, a shorter size being a prefix', () => {
    const sizes = [...mediaChunks('id', 2 * MEDIA_CHUNK_SIZE + 7)].map((c) => c.length);
    expect(sizes).toEqual([MEDIA_CHUNK_SIZE, MEDIA_CHUNK_SIZE, 7]);
    const full = collect(mediaChunks('id', 2 * MEDIA_CHUNK_SIZE + 7));
    for (const n of [1, 5, MEDIA_CHUNK_SIZE + 3]) {
      expect(collect(mediaChunks('id', n)).equals(full.subarray(0, n))).toBe(true);
    }
    expect([...mediaChunks('id', 0)]).toEqual([]);
    expect(() => [...mediaChunks('id', -1)]).toThrow(/size/);
  });

  it('is noise-like, not a repeated pattern', () => {
    const body = collect(mediaChunks('noise', 4096));
    expect(new Set(body).size).toBeGreaterThan(200);
  });

  it('streams the same bytes as mediaSha256 hashes', async () => {
    const hash = createHash('sha256');
    for await (const chunk of mediaBytes('stream', 300_001)) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(mediaSha256('stream', 300_001));
  });

  it('Sandbox.registerMedia and mediaSha256 use the registered size', () => {
    const sandbox = new Sandbox();
    const id = sandbox.registerMedia(appId, { type: 'image', size: 12_345 });
    expect(sandbox.mediaSha256(id)).toBe(mediaSha256(id, 12_345));
    expect(() => sandbox.mediaSha256('unknown')).toThrow(/unknown media/);
  });
});
