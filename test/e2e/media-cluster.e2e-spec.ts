import type { Platform, RunningApp } from '../support/app.js';
import { createClient } from 'redis';
import { type SandboxServer } from '../../src/sandbox/index.js';
import { CookieClient } from '../support/browser-client.js';
import { type MediaStorageKind, type MediaWorld, loggedInClient, readMedia, startMediaWorld } from '../support/media-client.js';
import { REDIS_URL } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wx7575efef8686abab', appSecret: 'media-cluster-secret-012345' };
const MiB = 1024 * 1024;
const MEDIA_GET = 'cgi-bin/media/get';

describe.each<[MediaStorageKind, Platform]>([
  ['disk', 'fastify'],
  ['s3', 'express'],
])('media saved by two instances sharing Redis and a %s storage, on %s', (storage, platform) => {
  let sandbox: SandboxServer;
  let apps: RunningApp[];
  let prefix: string;

  let world: MediaWorld;

  beforeAll(async () => {
    world = await startMediaWorld('media-cluster', ACCOUNT, { instances: 2, storage, platform });
    ({ sandbox, apps, prefix } = world);
  });
  afterAll(() => world?.close());

  beforeEach(() => {
    sandbox.sandbox.clearFaults();
    sandbox.sandbox.resetCalls();
  });

  /** One login (sessions live in the shared Redis), one client per instance. */
  async function clients(): Promise<[CookieClient, CookieClient]> {
    const first = await loggedInClient(apps[0].url, sandbox.sandbox);
    const second = new CookieClient(apps[1].url);
    for (const [name, value] of first.cookies) second.cookies.set(name, value);
    return [first, second];
  }

  it('concurrent saves on both instances download once; both answer the same record', async () => {
    const [a, b] = await clients();
    const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size: 4 * MiB });
    // a slow answer keeps the winner's download (and its lock) running while the other arrives
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'slow', delayMs: 400 });
    const results = await Promise.all([a.post(`/wechat/media/${mediaId}`), b.post(`/wechat/media/${mediaId}`)]);

    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(results[0].json).toEqual(results[1].json);
    expect(results[0].json.sha256).toBe(sandbox.sandbox.mediaSha256(mediaId));
    for (const [app, client] of [
      [apps[0], a],
      [apps[1], b],
    ] as const) {
      expect((await readMedia(app.url, client, mediaId)).sha256).toBe(results[0].json.sha256);
    }
    expect((await world.stored()).filter((name) => name.includes(mediaId))).toEqual([`${mediaId}.json`, `${mediaId}.media`]);
    expect(await world.leftovers()).toEqual([]);
  });

  it('the lock lives under CACHE_KEY_PREFIX and is released when the save is done', async () => {
    const [a] = await clients();
    const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size: 1000 });
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      const lockKey = `${prefix}{${ACCOUNT.appId}}:media:${mediaId}:lock`;
      // held by a "dead" instance for a moment: the save waits for it to expire, then downloads
      await redis.set(lockKey, 'someone-else', { PX: 600 });
      const r = await a.post(`/wechat/media/${mediaId}`);
      expect(r.status).toBe(201);
      expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(1);
      expect(await redis.exists(lockKey)).toBe(0);
    } finally {
      await redis.quit();
    }
  });
});
