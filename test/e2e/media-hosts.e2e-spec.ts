import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaModule } from '../../src/nest/media/media.module.js';
import { OAuthModule } from '../../src/nest/oauth/oauth.module.js';
import { AMR_FRAME_BYTES, AMR_MAGIC } from '../../src/sandbox/media-content.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { WechatModule } from '../../src/nest/wechat.module.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { ffmpegStandIn, type FfmpegStandIn } from '../support/ffmpeg.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';

const A = { appId: 'wx3c3c4d4d5e5e6f6f', appSecret: 'media-hosts-e2e-secret-of-a-01' };
const B = { appId: 'wx7a7a8b8b9c9c0d0d', appSecret: 'media-hosts-e2e-secret-of-b-23' };
const MEDIA_GET = 'cgi-bin/media/get';

const platforms = [
  ['Fastify', () => new FastifyAdapter()],
  ['Express', () => new ExpressAdapter()],
] as const;

// The media routes in a host's own Nest app, on both platforms: transcoding.concurrency 1, two accounts.
describe.each(platforms)('the media routes in a %s host', (_name, adapter) => {
  let sandbox: SandboxServer;
  let app: INestApplication;
  let base: string;
  let mediaDir: string;
  let ffmpeg: FfmpegStandIn;
  let alice: CookieClient;
  const prefix = uniquePrefix('media-hosts');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [A, B] });
    mediaDir = await mkdtemp(join(tmpdir(), 'media-hosts-'));
    ffmpeg = await ffmpegStandIn('overlap');
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({ ...A, accounts: [B], apiBaseUrl: sandbox.url, redisUrl: REDIS_URL, keyPrefix: prefix }),
        MediaModule.forRoot({ dir: mediaDir, transcoding: { ffmpegPath: ffmpeg.path, concurrency: 1 } }),
        OAuthModule.forRoot({
          publicBaseUrl: 'http://h5.test',
          openBaseUrl: sandbox.url,
          session: { secret: 'media-hosts-session-secret-0123456789abcdef' },
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication(adapter() as FastifyAdapter, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    alice = new CookieClient(base);
    const login = await alice.get('/wechat/oauth/login');
    await alice.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
    await rm(mediaDir, { recursive: true, force: true });
  });

  it('renditions past the one slot and its queue: 503 MEDIA_BUSY as JSON with Retry-After, never two ffmpeg at once', async () => {
    const voices: string[] = [];
    for (let i = 0; i < 6; i++) {
      const mediaId = sandbox.sandbox.registerMedia(A.appId, { type: 'voice', size: AMR_MAGIC.length + 100 * AMR_FRAME_BYTES });
      expect((await alice.post(`/wechat/media/${mediaId}`)).status).toBe(201);
      voices.push(mediaId);
    }
    const answers = await Promise.all(voices.map((id) => alice.get(`/wechat/media/${id}?format=mp3`, 'application/json')));
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThan(answers.length);
    for (const answer of refused) {
      expect(answer.json).toEqual({
        statusCode: 503,
        code: 'MEDIA_BUSY',
        message: expect.any(String),
        retryAfter: expect.any(Number),
      });
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    }
    expect(await ffmpeg.mostAtOnce()).toBe(1);
  });

  it("refuses 403 ACCOUNT_NOT_ALLOWED for another account's appId before calling WeChat; the user's own is fine", async () => {
    const ofB = sandbox.sandbox.registerMedia(B.appId, { type: 'image', size: 500 });
    const ofA = sandbox.sandbox.registerMedia(A.appId, { type: 'image', size: 500 });
    sandbox.sandbox.resetCalls();
    const saved = await alice.post(`/wechat/media/${ofB}?appId=${B.appId}`);
    expect(saved).toMatchObject({
      status: 403,
      json: { statusCode: 403, code: 'ACCOUNT_NOT_ALLOWED', message: expect.any(String) },
    });
    const read = await alice.get(`/wechat/media/${ofB}?appId=${B.appId}`, 'application/json');
    expect(read).toMatchObject({ status: 403, json: { code: 'ACCOUNT_NOT_ALLOWED' } });
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(0);
    expect(sandbox.sandbox.calls()).toEqual({});

    expect((await alice.post(`/wechat/media/${ofA}?appId=${A.appId}`)).status).toBe(201);
    expect((await alice.post(`/wechat/media/${ofA}?appId=wxnotconfigured000`)).json).toMatchObject({ code: 'UNKNOWN_ACCOUNT' });
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(1);
  });
});
