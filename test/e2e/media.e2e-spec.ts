import { type SandboxServer } from '../../src/sandbox/index.js';
import { type RunningApp, type Platform } from '../support/app.js';
import type { CookieClient } from '../support/browser-client.js';
import {
  type MediaWorld,
  cookieHeader,
  loggedInClient,
  rawRequest,
  readMedia,
  type MediaStorageKind,
  startMediaWorld,
} from '../support/media-client.js';

const ACCOUNT = { appId: 'wx3131cdcd4242efef', appSecret: 'media-e2e-secret-0123456789' };
const MiB = 1024 * 1024;
const MEDIA_GET = 'cgi-bin/media/get';
const HD_GET = 'cgi-bin/media/get/jssdk';

// The same suite against each storage: a temporary MEDIA_DIR, and a real S3-compatible server (s3rver).
describe.each<[MediaStorageKind, Platform]>([
  ['disk', 'fastify'],
  ['s3', 'fastify'],
  ['disk', 'express'],
  ['s3', 'express'],
])('media persistence over HTTP (sandbox upstream, real Redis, %s storage, on %s)', (storage, platform) => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  let client: CookieClient;
  let world: MediaWorld;

  beforeAll(async () => {
    world = await startMediaWorld('media', ACCOUNT, { env: { MEDIA_MAX_BYTES: String(8 * MiB) }, storage, platform });
    ({ sandbox } = world);
    [svc] = world.apps;
    client = await loggedInClient(svc.url, sandbox.sandbox);
  });
  afterAll(() => world?.close());

  beforeEach(() => {
    sandbox.sandbox.clearFaults();
    sandbox.sandbox.resetCalls();
  });

  const register = (type: 'image' | 'voice' | 'video', size: number) =>
    sandbox.sandbox.registerMedia(ACCOUNT.appId, { type, size });
  const save = (mediaId: string, query = '') => client.post(`/wechat/media/${mediaId}${query}`);
  const filesOf = async (mediaId: string) => (await world.stored()).filter((name) => name.includes(mediaId));
  const tempFiles = () => world.leftovers();

  it('saves a 6 MiB image and reads it back byte for byte, with its sha256, type and length', async () => {
    const mediaId = register('image', 6 * MiB);
    const saved = await save(mediaId);
    expect(saved.status).toBe(201);
    expect(saved.json).toEqual({
      mediaId,
      contentType: 'image/jpeg',
      size: 6 * MiB,
      sha256: sandbox.sandbox.mediaSha256(mediaId),
      savedAt: expect.any(String),
    });
    expect(Math.abs(Date.parse(saved.json.savedAt) - Date.now())).toBeLessThan(60_000);
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(1);

    const read = await readMedia(svc.url, client, mediaId);
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('image/jpeg');
    expect(read.headers.get('content-length')).toBe(String(6 * MiB));
    expect(read.length).toBe(6 * MiB);
    expect(read.sha256).toBe(sandbox.sandbox.mediaSha256(mediaId));
    expect(await filesOf(mediaId)).toEqual([`${mediaId}.json`, `${mediaId}.media`]);
  });

  it('serves a Range as 206 with the exact bytes, Accept-Ranges, and 416 past the end', async () => {
    const size = 200_000;
    const mediaId = register('image', size);
    expect((await save(mediaId)).status).toBe(201);
    const whole = Buffer.from(
      await (await fetch(`${svc.url}/wechat/media/${mediaId}`, { headers: { cookie: cookieHeader(client) } })).arrayBuffer(),
    );
    expect(whole.length).toBe(size);
    const get = (range: string, extra: Record<string, string> = {}) =>
      fetch(`${svc.url}/wechat/media/${mediaId}`, { headers: { cookie: cookieHeader(client), range, ...extra } });
    for (const [range, start, end] of [
      ['bytes=0-0', 0, 0],
      ['bytes=1000-1999', 1000, 1999],
      ['bytes=150000-', 150_000, size - 1],
      ['bytes=-500', size - 500, size - 1],
      ['bytes=199990-999999', 199_990, size - 1],
    ] as const) {
      const r = await get(range);
      expect(r.status).toBe(206);
      expect(r.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(r.headers.get('content-length')).toBe(String(end - start + 1));
      expect(r.headers.get('accept-ranges')).toBe('bytes');
      expect(Buffer.from(await r.arrayBuffer()).equals(whole.subarray(start, end + 1))).toBe(true);
    }
    const past = await get(`bytes=${size}-`);
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    expect(await past.json()).toMatchObject({ statusCode: 416, code: 'RANGE_NOT_SATISFIABLE', size });
    // a stale If-Range and a malformed Range get the whole media
    const stale = await get('bytes=0-9', { 'if-range': '"not-the-etag"' });
    expect([stale.status, (await stale.arrayBuffer()).byteLength]).toEqual([200, size]);
    const malformed = await get('bytes=abc');
    expect([malformed.status, (await malformed.arrayBuffer()).byteLength]).toEqual([200, size]);
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(1);
  });

  it('a second save answers the stored record without calling WeChat', async () => {
    const mediaId = register('voice', 40_000);
    const first = await save(mediaId);
    expect(first.status).toBe(201);
    sandbox.sandbox.resetCalls();
    const second = await save(mediaId);
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(sandbox.sandbox.calls()).toEqual({});
  });

  it('concurrent saves of one id in one instance download it once', async () => {
    const mediaId = register('image', 3 * MiB);
    // a slow answer keeps the first download running while the others arrive
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'slow', delayMs: 300 });
    const results = await Promise.all(Array.from({ length: 5 }, () => save(mediaId)));
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    for (const r of results) expect(r.json.sha256).toBe(sandbox.sandbox.mediaSha256(mediaId));
  });

  it("WeChat's 40007 (unknown or expired id) gives 404 MEDIA_NOT_FOUND and keeps nothing", async () => {
    const r = await save('NoSuchMediaId_0123456789');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ statusCode: 404, code: 'MEDIA_NOT_FOUND', errcode: 40007 });
    expect(await filesOf('NoSuchMediaId_0123456789')).toEqual([]);
  });

  it('past MEDIA_MAX_BYTES: 413 MEDIA_TOO_LARGE, no file and no temp file left', async () => {
    const mediaId = register('image', 8 * MiB + 1);
    const r = await save(mediaId);
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ statusCode: 413, code: 'MEDIA_TOO_LARGE', maxBytes: 8 * MiB });
    expect(await filesOf(mediaId)).toEqual([]);
    expect(await tempFiles()).toEqual([]);
    // exactly at the limit is fine
    expect((await save(register('image', 8 * MiB))).status).toBe(201);
  });

  it('traversal-shaped or malformed ids give 400 INVALID_MEDIA_ID (or 404 when no route matches) and touch nothing', async () => {
    const before = await world.stored();
    const cookie = cookieHeader(client);
    const invalid = ['..', '.', '%2e%2e', '%2e%2e%2f', '..%2f..%2fetc%2fpasswd', 'a%2Fb', 'a%5Cb', '%00', 'a.b', '%20a', '-%0a'];
    for (const id of invalid) {
      for (const method of ['POST', 'GET']) {
        const r = await rawRequest(svc.url, method, `/wechat/media/${id}`, { cookie, accept: 'application/json' });
        expect([r.status, JSON.parse(r.body).code]).toEqual([400, 'INVALID_MEDIA_ID']);
      }
    }
    for (const path of ['/wechat/media/a/b', '/wechat/media/../../etc/passwd', '/wechat/media/a\\b']) {
      const r = await rawRequest(svc.url, 'GET', path, { cookie, accept: 'application/json' });
      expect([400, 404]).toContain(r.status);
      expect(JSON.parse(r.body).statusCode).toBe(r.status);
    }
    // past 100 characters Fastify's router may refuse first (414); either way a JSON 4xx
    const tooLong = await rawRequest(svc.url, 'POST', `/wechat/media/${'x'.repeat(101)}`, { cookie });
    expect([400, 414]).toContain(tooLong.status);
    expect(JSON.parse(tooLong.body).statusCode).toBe(tooLong.status);
    expect((await client.get(`/wechat/media/${'x'.repeat(100)}`, 'application/json')).json.code).toBe('MEDIA_NOT_FOUND');
    expect((await save('ok', '?hd=maybe')).json.code).toBe('VALIDATION_FAILED');
    expect(sandbox.sandbox.calls()).toEqual({});
    expect(await world.stored()).toEqual(before);
  });

  it('hd=1 on a voice downloads cgi-bin/media/get/jssdk and keeps voice/speex', async () => {
    const mediaId = register('voice', 300_000);
    const r = await save(mediaId, '?hd=1');
    expect(r.status).toBe(201);
    const hd = sandbox.sandbox.mediaDownload(mediaId, { hd: true });
    expect(r.json).toMatchObject({
      contentType: 'voice/speex',
      size: hd.size,
      sha256: sandbox.sandbox.mediaSha256(mediaId, { hd: true }),
    });
    expect([sandbox.sandbox.calls(HD_GET), sandbox.sandbox.calls(MEDIA_GET)]).toEqual([1, 0]);
    const read = await readMedia(svc.url, client, mediaId);
    expect(read.headers.get('content-type')).toBe('voice/speex');
    expect(read.sha256).toBe(r.json.sha256);
  });

  it('a video (WeChat answers only {"video_url"}) is refused with 422 MEDIA_IS_VIDEO and its url', async () => {
    const mediaId = register('video', 1000);
    const r = await save(mediaId);
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ code: 'MEDIA_IS_VIDEO', videoUrl: expect.stringContaining(`${mediaId}.mp4`) });
    expect(await filesOf(mediaId)).toEqual([]);
  });

  it('GET of an id never saved is 404 MEDIA_NOT_FOUND, without calling WeChat', async () => {
    const r = await client.get(`/wechat/media/${register('image', 10)}`, 'application/json');
    expect(r).toMatchObject({ status: 404, json: { code: 'MEDIA_NOT_FOUND' } });
    expect(sandbox.sandbox.calls()).toEqual({});
  });

  it('without a session both routes answer 401 JSON with the login url', async () => {
    const mediaId = register('image', 10);
    const post = await fetch(`${svc.url}/wechat/media/${mediaId}`, { method: 'POST' });
    const get = await fetch(`${svc.url}/wechat/media/${mediaId}`, { headers: { accept: 'application/json' } });
    for (const r of [post, get]) {
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await r.json()).toMatchObject({
        statusCode: 401,
        code: 'NOT_AUTHENTICATED',
        loginUrl: expect.stringContaining('/wechat/oauth/login'),
      });
    }
    expect(sandbox.sandbox.calls()).toEqual({});
  });

  it('is described in the OpenAPI document, errors as ProblemDto', async () => {
    const doc = (await client.get('/docs-json', 'application/json')).json;
    const route = doc.paths['/wechat/media/{mediaId}'];
    expect(Object.keys(route).sort()).toEqual(['get', 'post']);
    expect(route.post.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/MediaRecordDto');
    for (const status of ['400', '404', '413', '422', '502', '503']) {
      expect(route.post.responses[status].content['application/json'].schema.$ref).toBe('#/components/schemas/ProblemDto');
    }
    expect(route.get.responses['404'].content['application/json'].schema.$ref).toBe('#/components/schemas/ProblemDto');
    expect(Object.keys(doc.components.schemas.MediaRecordDto.properties)).toEqual([
      'mediaId',
      'contentType',
      'size',
      'sha256',
      'savedAt',
    ]);
  });
});
