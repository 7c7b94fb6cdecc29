import type { Platform } from '../support/app.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AMR_FRAME_BYTES, AMR_MAGIC } from '../../src/sandbox/media-content.js';
import type { CookieClient } from '../support/browser-client.js';
import { ffmpegStandIn, type FfmpegStandIn, probeAudio } from '../support/ffmpeg.js';
import {
  cookieHeader,
  loggedInClient,
  type MediaStorageKind,
  type MediaWorld,
  startMediaWorld,
} from '../support/media-client.js';

const ACCOUNT = { appId: 'wx5151abab6262cdcd', appSecret: 'playable-e2e-secret-0123456789' };
/** an AMR voice of `seconds` (50 frames a second) */
const amrSize = (seconds: number) => AMR_MAGIC.length + seconds * 50 * AMR_FRAME_BYTES;

async function get(world: MediaWorld, client: CookieClient, path: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${world.apps[0].url}${path}`, { headers: { cookie: cookieHeader(client), ...headers } });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, body, json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown> };
}

const close = (a: number, b: number) => Math.abs(a - b) / b;

// Voices kept playable: ?format=mp3 through the real ffmpeg, on disk and on a real S3-compatible server.
describe.each<[MediaStorageKind, Platform]>([
  ['disk', 'fastify'],
  ['s3', 'express'],
])('voice as mp3 (%s storage, real ffmpeg, on %s)', (storage, platform) => {
  let world: MediaWorld;
  let ffmpeg: FfmpegStandIn;
  let alice: CookieClient;
  let aliceThere: CookieClient;

  beforeAll(async () => {
    ffmpeg = await ffmpegStandIn('counting');
    world = await startMediaWorld(`playable-${storage}`, ACCOUNT, {
      instances: 2,
      storage,
      platform,
      env: { FFMPEG_PATH: ffmpeg.path },
    });
    alice = await loggedInClient(world.apps[0].url, world.sandbox.sandbox);
    aliceThere = await loggedInClient(world.apps[1].url, world.sandbox.sandbox);
  });
  afterAll(() => world?.close());

  const voice = async (size: number, hd = false) => {
    const mediaId = world.sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size });
    expect((await alice.post(`/wechat/media/${mediaId}${hd ? '?hd=1' : ''}`)).status).toBe(201);
    return mediaId;
  };

  it('an AMR voice becomes an mp3 of the same length, made once and then served from storage', async () => {
    const mediaId = await voice(amrSize(12));
    const before = await ffmpeg.runs();
    const original = await get(world, alice, `/wechat/media/${mediaId}`);
    const mp3 = await get(world, alice, `/wechat/media/${mediaId}?format=mp3`);
    expect(mp3.status).toBe(200);
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    expect(mp3.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(mp3.headers.get('content-length'))).toBe(mp3.body.length);
    const [amrInfo, mp3Info] = [await probeAudio(original.body), await probeAudio(mp3.body)];
    expect(amrInfo).toMatchObject({ format: 'amr', codec: 'amr_nb' });
    expect(mp3Info).toMatchObject({ format: 'mp3', codec: 'mp3' });
    expect(close(mp3Info.seconds, amrInfo.seconds)).toBeLessThan(0.05);
    expect((await ffmpeg.runs()) - before).toBe(1);

    // again, and from the other instance: the kept mp3, ffmpeg not run again
    const again = await get(world, alice, `/wechat/media/${mediaId}?format=mp3`);
    const there = await fetch(`${world.apps[1].url}/wechat/media/${mediaId}?format=mp3`, {
      headers: { cookie: cookieHeader(aliceThere) },
    });
    expect(again.body.equals(mp3.body)).toBe(true);
    expect(Buffer.from(await there.arrayBuffer()).equals(mp3.body)).toBe(true);
    expect(again.headers.get('etag')).toBe(mp3.headers.get('etag'));
    expect((await ffmpeg.runs()) - before).toBe(1);
    // the original is untouched
    expect((await get(world, alice, `/wechat/media/${mediaId}`)).body.equals(original.body)).toBe(true);
    expect((await world.renditions()).filter((name) => name.includes(mediaId))).toEqual([`${mediaId}.json`, `${mediaId}.media`]);
  });

  it('two instances asked at once transcode once, and both answer the same mp3', async () => {
    const mediaId = await voice(amrSize(20));
    const before = await ffmpeg.runs();
    const [a, b] = await Promise.all([
      get(world, alice, `/wechat/media/${mediaId}?format=mp3`),
      fetch(`${world.apps[1].url}/wechat/media/${mediaId}?format=mp3`, { headers: { cookie: cookieHeader(aliceThere) } }).then(
        async (r) => ({ status: r.status, body: Buffer.from(await r.arrayBuffer()) }),
      ),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.equals(b.body)).toBe(true);
    expect((await ffmpeg.runs()) - before).toBe(1);
  });

  it('a Range of the mp3 is the exact bytes (an <audio> element seeking)', async () => {
    const mediaId = await voice(amrSize(8));
    const whole = (await get(world, alice, `/wechat/media/${mediaId}?format=mp3`)).body;
    const part = await get(world, alice, `/wechat/media/${mediaId}?format=mp3`, { range: 'bytes=1000-2999' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-2999/${whole.length}`);
    expect(part.body.equals(whole.subarray(1000, 3000))).toBe(true);
    const past = await get(world, alice, `/wechat/media/${mediaId}?format=mp3`, { range: `bytes=${whole.length}-` });
    expect([past.status, past.json().code]).toEqual([416, 'RANGE_NOT_SATISFIABLE']);
  });

  it('the HD voice (Ogg Speex, 16 kHz) becomes an mp3 of the same length', async () => {
    const mediaId = await voice(amrSize(3), true);
    const original = await get(world, alice, `/wechat/media/${mediaId}`);
    expect(original.headers.get('content-type')).toBe('voice/speex');
    const mp3 = await get(world, alice, `/wechat/media/${mediaId}?format=mp3`);
    expect(mp3.status).toBe(200);
    const [speex, made] = [await probeAudio(original.body), await probeAudio(mp3.body)];
    expect(speex).toMatchObject({ format: 'ogg', codec: 'speex' });
    expect(made.format).toBe('mp3');
    expect(close(made.seconds, speex.seconds)).toBeLessThan(0.05);
  });

  it('an image has no mp3: 415 FORMAT_UNAVAILABLE, and the original is still served', async () => {
    const mediaId = world.sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size: 5000 });
    expect((await alice.post(`/wechat/media/${mediaId}`)).status).toBe(201);
    const before = await ffmpeg.runs();
    const r = await get(world, alice, `/wechat/media/${mediaId}?format=mp3`);
    expect([r.status, r.json().code]).toEqual([415, 'FORMAT_UNAVAILABLE']);
    expect((await get(world, alice, `/wechat/media/${mediaId}`)).status).toBe(200);
    expect(await ffmpeg.runs()).toBe(before);
  });

  it("another user's voice is 404 as mp3 too, an unknown format 400, and neither runs ffmpeg", async () => {
    const mediaId = await voice(amrSize(2));
    const bob = await loggedInClient(world.apps[0].url, world.sandbox.sandbox, 'html');
    const before = await ffmpeg.runs();
    const r = await get(world, bob, `/wechat/media/${mediaId}?format=mp3`);
    expect([r.status, r.json().code]).toEqual([404, 'MEDIA_NOT_FOUND']);
    const wav = await get(world, alice, `/wechat/media/${mediaId}?format=wav`);
    expect([wav.status, wav.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await ffmpeg.runs()).toBe(before);
  });
});

describe('voice as mp3 when it cannot be made (real ffmpeg)', () => {
  const cases: MediaWorld[] = [];
  afterAll(() => Promise.all(cases.map((w) => w.close())));

  const saveVoice = async (world: MediaWorld, size: number) => {
    const client = await loggedInClient(world.apps[0].url, world.sandbox.sandbox);
    const mediaId = world.sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size });
    expect((await client.post(`/wechat/media/${mediaId}`)).status).toBe(201);
    return { client, mediaId };
  };

  it('ffmpeg hidden from the PATH: 415 FORMAT_UNAVAILABLE, the original still served, nothing kept', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-ffmpeg-'));
    const path = process.env.PATH;
    process.env.PATH = empty;
    try {
      const world = await startMediaWorld('no-ffmpeg', ACCOUNT);
      cases.push(world);
      const { client, mediaId } = await saveVoice(world, amrSize(3));
      const r = await get(world, client, `/wechat/media/${mediaId}?format=mp3`);
      expect([r.status, r.json().code]).toEqual([415, 'FORMAT_UNAVAILABLE']);
      expect(r.json().message).toMatch(/ffmpeg/);
      expect((await get(world, client, `/wechat/media/${mediaId}`)).status).toBe(200);
      expect(await world.renditions()).toEqual([]);
    } finally {
      process.env.PATH = path;
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('a transcoding past MEDIA_TRANSCODE_TIMEOUT_MS: 503 TRANSCODE_TIMEOUT in bounded time, nothing left behind', async () => {
    const stall = await ffmpegStandIn('stall');
    const world = await startMediaWorld('slow-ffmpeg', ACCOUNT, {
      env: { FFMPEG_PATH: stall.path, MEDIA_TRANSCODE_TIMEOUT_MS: '1000' },
    });
    cases.push(world);
    const { client, mediaId } = await saveVoice(world, amrSize(3));
    const started = Date.now();
    const r = await get(world, client, `/wechat/media/${mediaId}?format=mp3`);
    expect([r.status, r.json().code]).toEqual([503, 'TRANSCODE_TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await stall.runs()).toBe(1);
    expect((await world.renditions()).filter((name) => name.includes(mediaId) || name.endsWith('.part'))).toEqual([]);
    expect((await get(world, client, `/wechat/media/${mediaId}`)).status).toBe(200);
    // a timeout is no fault of the voice: asked again, ffmpeg runs again
    const again = await get(world, client, `/wechat/media/${mediaId}?format=mp3`);
    expect([again.status, again.json().code]).toEqual([503, 'TRANSCODE_TIMEOUT']);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await stall.runs()).toBe(2);
  });

  it('a voice whose mp3 cannot fit MEDIA_MAX_BYTES: 413 MEDIA_TOO_LARGE before ffmpeg starts, nothing left behind', async () => {
    // the 8 s voice is 12.8 KB of AMR: its mp3 is at least 2.5 times that, some 32 KB
    const counting = await ffmpegStandIn('counting');
    const world = await startMediaWorld('mp3-limit', ACCOUNT, {
      env: { MEDIA_MAX_BYTES: String(16 * 1024), FFMPEG_PATH: counting.path },
    });
    cases.push(world);
    const { client, mediaId } = await saveVoice(world, amrSize(8));
    const r = await get(world, client, `/wechat/media/${mediaId}?format=mp3`);
    expect([r.status, r.json().code]).toEqual([413, 'MEDIA_TOO_LARGE']);
    expect(await counting.runs()).toBe(0);
    expect((await world.renditions()).filter((name) => name.includes(mediaId) || name.endsWith('.part'))).toEqual([]);
    // one whose mp3 fits is made (3 s: 4.8 KB of AMR, an mp3 of some 12 KB)
    const small = await saveVoice(world, amrSize(3));
    expect((await get(world, small.client, `/wechat/media/${small.mediaId}?format=mp3`)).status).toBe(200);
    expect(await counting.runs()).toBe(1);
  });

  describe.each([
    ['undecodable', 'failing', 415, 'FORMAT_UNAVAILABLE'],
    ['past MEDIA_MAX_BYTES once made', 'bloating', 413, 'MEDIA_TOO_LARGE'],
  ] as const)('a rendition that failed (%s)', (_what, kind, status, code) => {
    it('is remembered: asked again, here or on another instance, it answers at once without ffmpeg', async () => {
      const ffmpeg = await ffmpegStandIn(kind);
      const world = await startMediaWorld(`mp3-${kind}`, ACCOUNT, {
        instances: 2,
        env: { FFMPEG_PATH: ffmpeg.path, MEDIA_MAX_BYTES: String(64 * 1024) },
      });
      cases.push(world);
      const { client, mediaId } = await saveVoice(world, amrSize(2));
      const first = await get(world, client, `/wechat/media/${mediaId}?format=mp3`);
      expect([first.status, first.json().code]).toEqual([status, code]);
      expect(await ffmpeg.runs()).toBe(1);

      const again = await get(world, client, `/wechat/media/${mediaId}?format=mp3`);
      expect(again.json()).toEqual(first.json());
      const there = await loggedInClient(world.apps[1].url, world.sandbox.sandbox);
      const elsewhere = await fetch(`${world.apps[1].url}/wechat/media/${mediaId}?format=mp3`, {
        headers: { cookie: cookieHeader(there) },
      });
      expect([elsewhere.status, await elsewhere.json()]).toEqual([status, first.json()]);
      expect(await ffmpeg.runs()).toBe(1);
      expect((await world.renditions()).filter((name) => name.includes(mediaId) || name.endsWith('.part'))).toEqual([]);
      expect((await get(world, client, `/wechat/media/${mediaId}`)).status).toBe(200);
    });
  });
});
