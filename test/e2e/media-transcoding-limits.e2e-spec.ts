import { createClient } from 'redis';
import { MediaService } from '../../src/core/media/media.service.js';
import { AMR_FRAME_BYTES, AMR_MAGIC } from '../../src/sandbox/media-content.js';
import { accountKey } from '../../src/core/account-keys.js';
import type { CookieClient } from '../support/browser-client.js';
import { ffmpegStandIn, type FfmpegStandIn } from '../support/ffmpeg.js';
import { loggedInClient, type MediaWorld, startMediaWorld } from '../support/media-client.js';
import { REDIS_URL } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wx4242bcbc5353dede', appSecret: 'transcoding-limits-e2e-secret-01' };
/** an AMR voice of `seconds` (50 frames a second) */
const amrSize = (seconds: number) => AMR_MAGIC.length + seconds * 50 * AMR_FRAME_BYTES;

const mp3Of = (client: CookieClient, mediaId: string) => client.get(`/wechat/media/${mediaId}?format=mp3`, 'application/json');

/** A voice saved by `user` through the service's own MediaService (no HTTP: the save routes have their own limit). */
async function savedVoice(world: MediaWorld, user: string, seconds = 3): Promise<string> {
  const { sandbox } = world.sandbox;
  const mediaId = sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size: amrSize(seconds) });
  const owner = { appId: ACCOUNT.appId, openid: sandbox.openidOf(ACCOUNT.appId, user) };
  await world.apps[0].app.get(MediaService).save(mediaId, { owner, appId: ACCOUNT.appId });
  return mediaId;
}

/** A 503 as SPEC's JSON error with a Retry-After of whole seconds. */
function expectBusyAnswer(answer: { status: number; json: any; headers: Headers }) {
  expect(answer.status).toBe(503);
  expect(answer.json).toEqual({
    statusCode: 503,
    code: 'MEDIA_BUSY',
    message: expect.any(String),
    retryAfter: expect.any(Number),
  });
  expect(answer.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
}

describe('MEDIA_TRANSCODE_CONCURRENCY=1 (real ffmpeg, logged through FFMPEG_PATH)', () => {
  let world: MediaWorld;
  let ffmpeg: FfmpegStandIn;

  beforeAll(async () => {
    ffmpeg = await ffmpegStandIn('overlap');
    world = await startMediaWorld('transcode-slots', ACCOUNT, {
      env: { FFMPEG_PATH: ffmpeg.path, MEDIA_TRANSCODE_CONCURRENCY: '1' },
    });
  });
  afterAll(() => world?.close());

  it('never runs two ffmpeg at once, and answers every rendition: 200, or 503 MEDIA_BUSY with Retry-After', async () => {
    const alice = await loggedInClient(world.apps[0].url, world.sandbox.sandbox);
    const voices: string[] = [];
    for (let i = 0; i < 6; i++) voices.push(await savedVoice(world, 'alice'));
    const answers = await Promise.all(voices.map((mediaId) => mp3Of(alice, mediaId)));

    const made = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    // one runs, two wait in the queue (twice the concurrency), the others are refused at once
    expect(made.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const answer of refused) expectBusyAnswer(answer);
    expect(await ffmpeg.mostAtOnce()).toBe(1);
    expect(await ffmpeg.runs()).toBe(made.length);

    // what was refused is made once asked again
    for (const [i, answer] of answers.entries())
      if (answer.status !== 200) expect((await mp3Of(alice, voices[i])).status).toBe(200);
    expect(await ffmpeg.runs()).toBe(6);
    expect(await ffmpeg.mostAtOnce()).toBe(1);
  });
});

describe('a rendition waiting for another instance that never finishes', () => {
  let world: MediaWorld;
  let ffmpeg: FfmpegStandIn;

  beforeAll(async () => {
    ffmpeg = await ffmpegStandIn('counting');
    world = await startMediaWorld('transcode-wait', ACCOUNT, {
      env: { FFMPEG_PATH: ffmpeg.path, MEDIA_TRANSCODE_TIMEOUT_MS: '1000' },
    });
  });
  afterAll(() => world?.close());

  it('gets its 503 MEDIA_BUSY JSON answer with Retry-After before the server closes the silent socket', async () => {
    const [{ app, config, url }] = world.apps;
    const alice = await loggedInClient(url, world.sandbox.sandbox);
    const mediaId = await savedVoice(world, 'alice');
    // another instance took the mp3's lock (and keeps extending it) but never gets anywhere
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      await redis.set(accountKey(world.prefix, ACCOUNT.appId, `media:${mediaId}:mp3:lock`), 'another-instance', { PX: 120_000 });
      const started = Date.now();
      const answer = await mp3Of(alice, mediaId);
      const waited = Date.now() - started;
      expectBusyAnswer(answer);
      // the rendition's own deadline: a slot (1 s), one ffmpeg run (1 s) and the margin
      expect(waited).toBeLessThan(8000);
      expect(waited).toBeLessThan(config.socketTimeoutMs);
      expect(app.getHttpServer().timeout).toBe(config.socketTimeoutMs);
      expect(await ffmpeg.runs()).toBe(0);
    } finally {
      await redis.quit();
    }
  }, 90_000);
});

describe('RATE_LIMIT_PER_MINUTE new renditions per user', () => {
  let world: MediaWorld;
  let ffmpeg: FfmpegStandIn;

  beforeAll(async () => {
    ffmpeg = await ffmpegStandIn('counting');
    world = await startMediaWorld('transcode-budget', ACCOUNT, {
      instances: 2,
      env: { FFMPEG_PATH: ffmpeg.path, RATE_LIMIT_PER_MINUTE: '3' },
    });
  });
  afterAll(() => world?.close());

  it('past the budget 429 RATE_LIMITED with Retry-After, cluster-wide; kept mp3s and other users are not held back', async () => {
    const { sandbox } = world.sandbox;
    const [alice, aliceThere] = await Promise.all(world.apps.map((app) => loggedInClient(app.url, sandbox)));
    const bob = await loggedInClient(world.apps[0].url, sandbox, 'html');
    const voices = [];
    for (let i = 0; i < 4; i++) voices.push(await savedVoice(world, 'alice'));
    const bobs = await savedVoice(world, 'html');

    expect((await mp3Of(alice, voices[0])).status).toBe(200);
    expect((await mp3Of(aliceThere, voices[1])).status).toBe(200);
    expect((await mp3Of(alice, voices[2])).status).toBe(200);
    const over = await mp3Of(aliceThere, voices[3]);
    expect(over.status).toBe(429);
    expect(over.json).toEqual({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.any(String),
      retryAfter: expect.any(Number),
    });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(over.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await ffmpeg.runs()).toBe(3);

    // an mp3 already made is served from storage, whatever the budget says
    expect((await mp3Of(alice, voices[0])).status).toBe(200);
    expect((await mp3Of(bob, bobs)).status).toBe(200);
    expect(await ffmpeg.runs()).toBe(4);
  });
});
